package io.harvester.paging;

import java.io.IOException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.harvester.http.AnswerFormatException;
import io.harvester.http.JsonField;
import io.harvester.output.CsvFormat;
import io.harvester.output.CsvOutput;
import io.harvester.pipeline.PipelineBean;
import io.harvester.runs.LiveRun;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunStatus;
import io.harvester.runs.TriggerKind;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logic behind the {@code paged-export} route template, one instance per declared export. The
 * route carries the flow (trigger, split, circuit breaker, HTTP); this bean plans pages, parses
 * answers and renders CSV, on the run skeleton of {@link PipelineBean}. Properties mirror the
 * template's parameters.
 */
public class PagedExport extends PipelineBean {

    static final String PAGE = "harvesterPage";
    private static final Logger LOG = LoggerFactory.getLogger(PagedExport.class);

    private String pagination = "page";
    private String pageParam = "page";
    private String sizeParam = "size";
    private int firstPage = 1;
    private int pageSize = 1000;
    private JsonField totalField = new JsonField("total");
    private JsonField listField = new JsonField("list");
    private JsonField cursorField = new JsonField("next");
    private String cursorParam = "";
    private List<JsonField> columns = List.of();
    private int concurrency = 10;
    private int maxPages = 100_000;
    private boolean strictTotal = true;
    private long maxDurationMs = 21_600_000;
    private boolean guardFormulas;

    @Override
    protected String kind() {
        return "export";
    }

    @Override
    protected void validate() {
        if (!pagination.equals("page") && !pagination.equals("cursor")) {
            throw new IllegalArgumentException(pipeline() + ": pagination must be 'page' or 'cursor', was '" + pagination + "'");
        }
        positive("pageSize", pageSize);
        positive("concurrency", concurrency);
        positive("maxPages", maxPages);
        if (maxDurationMs < 0) {
            throw new IllegalArgumentException(pipeline() + ": maxDurationMs must be 0 (no limit) or more, was " + maxDurationMs);
        }
    }

    private void positive(String parameter, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(pipeline() + ": " + parameter + " must be at least 1, was " + value);
        }
    }

    @Override
    protected RunHandle start(Exchange exchange, LiveRun run, TriggerKind trigger) {
        run.store().steps().write(run.id(), 1, "fetch", RunStatus.RUNNING, 0, null, null);
        if (run.takenOver()) {
            // a page window has no durable checkpoint: the run starts over, its dead instance's temporary file gone
            CsvOutput.removeStaleTemps(directory(), id -> id != run.id() && run.store().isLive(id));
        }
        CsvOutput output = CsvOutput.open(directory(), name, run.id(), LocalDateTime.now());
        ExportRun export = new ExportRun(run, name, output, paginationFor(), concurrency, maxPages, strictTotal);
        run.limitTo(maxDurationMs, "export " + name + " failed: took longer than maxDurationMs (" + maxDurationMs + " ms)");
        LOG.info("Export {} run {} started ({} trigger)", name, run.id(), trigger.value());
        return export;
    }

    /** The pages to fetch, handed out as the window allows; the split iterates it lazily. */
    public Iterator<PageRequest> pages(Exchange exchange) {
        return run(exchange).window();
    }

    /** Turns the page in the body into a clean GET. */
    public void prepareRequest(Exchange exchange) throws InvalidPayloadException {
        PageRequest page = exchange.getMessage().getMandatoryBody(PageRequest.class);
        exchange.setProperty(PAGE, page);
        prepareGet(exchange, page.url());
    }

    /** Parses an answer, lets the pagination learn from it, and queues its rows for writing in order. */
    public void acceptPage(Exchange exchange) throws IOException {
        ExportRun run = run(exchange);
        PageRequest page = exchange.getProperty(PAGE, PageRequest.class);
        run.window().arrived();
        JsonNode root = parse(exchange);
        JsonNode list = listField.find(root);
        if (list == null) {
            throw new AnswerFormatException("field '" + listField + "' (listField) is missing");
        }
        if (!list.isArray()) {
            throw new AnswerFormatException("field '" + listField + "' (listField) is not a list but " + list.getNodeType());
        }
        // checked before the pagination learns from the page: a cursor must not be followed from a rejected page
        for (JsonNode record : list) {
            if (!record.isObject()) {
                throw new AnswerFormatException("records in '" + listField + "' (listField) are not objects: found "
                        + record.getNodeType().toString().toLowerCase(Locale.ROOT));
            }
        }
        if (page.index() == 0) {
            run.columns(columnsFor(list));
        }
        run.window().learn(page.index(), root);
        run.fetched();

        CsvFormat csv = new CsvFormat(guardFormulas);
        StringBuilder text = new StringBuilder(list.size() * 64);
        List<JsonField> fields = run.columns();
        if (page.index() == 0 && !fields.isEmpty()) {
            csv.header(fields.stream().map(JsonField::path).toList(), text);
        }
        for (JsonNode record : list) {
            csv.row(record, fields, text);
        }
        run.window().deliver(page.index(), new ExportRun.Chunk(text, list.size()));
        exchange.getMessage().setBody(null);
    }

    /** Publishes the CSV and completes the run; a run that already ended stays as it ended. */
    public void publish(Exchange exchange) {
        run(exchange).publish();
    }

    private List<JsonField> columnsFor(JsonNode firstList) {
        if (!columns.isEmpty()) {
            return columns;
        }
        List<JsonField> fields = new ArrayList<>();
        if (!firstList.isEmpty()) {
            firstList.get(0).fieldNames().forEachRemaining(f -> fields.add(new JsonField(f)));
        }
        return fields;
    }

    private Pagination paginationFor() {
        return pagination.equals("page")
                ? new NumberedPagination(url, pageParam, sizeParam, firstPage, pageSize, totalField)
                : new CursorPagination(url, cursorField, cursorParam);
    }

    @Override
    protected Map<String, Object> describe() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("url", url);
        params.put("pagination", pagination);
        params.put("pageSize", pageSize);
        params.put("concurrency", concurrency);
        return params;
    }

    private static ExportRun run(Exchange exchange) {
        return exchange.getProperty(RunHandle.PROPERTY, ExportRun.class);
    }

    public void setPagination(String pagination) {
        this.pagination = pagination.trim();
    }

    public void setPageParam(String pageParam) {
        this.pageParam = pageParam;
    }

    public void setSizeParam(String sizeParam) {
        this.sizeParam = sizeParam;
    }

    public void setFirstPage(int firstPage) {
        this.firstPage = firstPage;
    }

    public void setPageSize(int pageSize) {
        this.pageSize = pageSize;
    }

    public void setTotalField(String totalField) {
        this.totalField = new JsonField(totalField);
    }

    public void setListField(String listField) {
        this.listField = new JsonField(listField);
    }

    public void setCursorField(String cursorField) {
        this.cursorField = new JsonField(cursorField);
    }

    public void setCursorParam(String cursorParam) {
        this.cursorParam = cursorParam == null ? "" : cursorParam;
    }

    public void setColumns(String columns) {
        this.columns = columns == null ? List.of() : Arrays.stream(columns.split(",")).map(String::trim)
                .filter(c -> !c.isEmpty()).map(JsonField::new).toList();
    }

    public void setConcurrency(int concurrency) {
        this.concurrency = concurrency;
    }

    public void setMaxPages(int maxPages) {
        this.maxPages = maxPages;
    }

    public void setStrictTotal(boolean strictTotal) {
        this.strictTotal = strictTotal;
    }

    public void setMaxDurationMs(long maxDurationMs) {
        this.maxDurationMs = maxDurationMs;
    }

    public void setGuardFormulas(boolean guardFormulas) {
        this.guardFormulas = guardFormulas;
    }
}
