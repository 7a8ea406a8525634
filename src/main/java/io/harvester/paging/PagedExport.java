package io.harvester.paging;

import io.harvester.http.AnswerFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.harvester.http.HttpRetryPolicy;
import io.harvester.http.RequestHeaders;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunStore;
import io.harvester.runs.TriggerKind;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The logic behind the {@code paged-export} route template, one instance per declared export. The
 * route carries the flow (trigger, split, circuit breaker, HTTP); this bean plans pages, parses
 * answers, renders CSV and records the run. Properties mirror the template's parameters.
 */
public class PagedExport {

    static final String PAGE = "harvesterPage";
    static final String SKIPPED = "harvesterSkipped";
    private static final Logger LOG = LoggerFactory.getLogger(PagedExport.class);
    // decimals keep the digits the API sent (37.00 stays 37.00, not 37 or 3.7E+1)
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private RunStore runStore;
    private String name;
    private String url;
    private String pagination = "page";
    private String pageParam = "page";
    private String sizeParam = "size";
    private int firstPage = 1;
    private int pageSize = 1000;
    private String totalField = "total";
    private String listField = "list";
    private String cursorField = "next";
    private String cursorParam = "";
    private String columns = "";
    private int concurrency = 10;
    private String outputDir = "output";
    private RequestHeaders headers = RequestHeaders.parse("");
    private int retries = 3;
    private boolean guardFormulas;

    /** Removes temporary files that runs of this export killed mid-write left behind. */
    public void init() {
        int removed = CsvOutput.removeStaleTemps(directory(), runStore::isLive);
        if (removed > 0) {
            LOG.info("Export {}: removed {} temporary file(s) left by interrupted runs in {}", name, removed, directory());
        }
    }

    /** Starts a run, or marks the exchange skipped when a run of this export is still live. */
    public void begin(Exchange exchange) {
        TriggerKind trigger = TriggerKind.parse(exchange.getMessage().getHeader(TriggerKind.HEADER));
        Optional<Long> id = runStore.begin(pipeline(), trigger.value(), describe(), directory().toString());
        if (id.isEmpty()) {
            LOG.warn("Export {}: {} trigger skipped, a run is still in progress", name, trigger.value());
            exchange.setProperty(SKIPPED, true);
            return;
        }
        MDC.put("runId", String.valueOf(id.get()));
        CsvOutput output = CsvOutput.open(directory(), name, id.get(), LocalDateTime.now());
        ExportRun run = new ExportRun(id.get(), name, runStore, output, paginationFor(), concurrency);
        exchange.setProperty(RunHandle.PROPERTY, run);
        exchange.setProperty(HttpRetryPolicy.RETRIES, retries);
        runStore.step(id.get(), 1, "fetch", "running", 0, null, null);
        LOG.info("Export {} run {} started ({} trigger)", name, id.get(), trigger.value());
    }

    /** The pages to fetch, handed out as the window allows; the split iterates it lazily. */
    public Iterator<PageRequest> pages(Exchange exchange) {
        return run(exchange).window();
    }

    /** Turns the page in the body into a clean GET: no inbound headers leak upstream, ours are added. */
    public void prepareRequest(Exchange exchange) throws InvalidPayloadException {
        PageRequest page = exchange.getMessage().getMandatoryBody(PageRequest.class);
        exchange.setProperty(PAGE, page);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setBody(null);
        message.setHeader(Exchange.HTTP_URI, page.url());
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.GET);
        headers.values().forEach(message::setHeader);
    }

    /** Parses an answer, lets the pagination learn from it, and queues its rows for writing in order. */
    public void acceptPage(Exchange exchange) throws IOException {
        ExportRun run = run(exchange);
        PageRequest page = exchange.getProperty(PAGE, PageRequest.class);
        run.window().arrived();
        JsonNode root = parse(exchange);
        JsonNode list = new JsonField(listField).find(root);
        if (list == null) {
            throw new AnswerFormatException("field '" + listField + "' (listField) is missing");
        }
        if (!list.isArray()) {
            throw new AnswerFormatException("field '" + listField + "' (listField) is not a list but " + list.getNodeType());
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

    /** Publishes the CSV and completes the run; a run that already failed stays failed. */
    public void publish(Exchange exchange) {
        run(exchange).publish();
    }

    private JsonNode parse(Exchange exchange) throws IOException {
        try (InputStream body = exchange.getMessage().getBody(InputStream.class)) {
            if (body == null) {
                throw new AnswerFormatException("response has no body");
            }
            JsonNode root = JSON.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw new AnswerFormatException("response body is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new AnswerFormatException("response is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private List<JsonField> columnsFor(JsonNode firstList) {
        if (!columns.isBlank()) {
            return Arrays.stream(columns.split(",")).map(String::trim).filter(c -> !c.isEmpty()).map(JsonField::new)
                    .toList();
        }
        List<JsonField> fields = new ArrayList<>();
        if (!firstList.isEmpty() && firstList.get(0).isObject()) {
            firstList.get(0).fieldNames().forEachRemaining(f -> fields.add(new JsonField(f)));
        }
        return fields;
    }

    private Pagination paginationFor() {
        return switch (pagination.trim()) {
            case "page" -> new NumberedPagination(url, pageParam, sizeParam, firstPage, pageSize, new JsonField(totalField));
            case "cursor" -> new CursorPagination(url, new JsonField(cursorField), cursorParam);
            default -> throw new IllegalArgumentException("export " + name + ": pagination must be 'page' or 'cursor', was '"
                    + pagination + "'");
        };
    }

    private Map<String, Object> describe() {
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

    String pipeline() {
        return "export:" + name;
    }

    Path directory() {
        return Path.of(outputDir, name);
    }

    public void setRunStore(RunStore runStore) {
        this.runStore = runStore;
    }

    public void setName(String name) {
        this.name = name;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public void setPagination(String pagination) {
        this.pagination = pagination;
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
        this.totalField = totalField;
    }

    public void setListField(String listField) {
        this.listField = listField;
    }

    public void setCursorField(String cursorField) {
        this.cursorField = cursorField;
    }

    public void setCursorParam(String cursorParam) {
        this.cursorParam = cursorParam;
    }

    public void setColumns(String columns) {
        this.columns = columns == null ? "" : columns;
    }

    public void setConcurrency(int concurrency) {
        this.concurrency = concurrency;
    }

    public void setOutputDir(String outputDir) {
        this.outputDir = outputDir;
    }

    public void setHeaders(String headers) {
        this.headers = RequestHeaders.parse(headers);
    }

    public void setRetries(int retries) {
        this.retries = retries;
    }

    public void setGuardFormulas(boolean guardFormulas) {
        this.guardFormulas = guardFormulas;
    }
}
