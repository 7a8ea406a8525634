package io.harvester.paging;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.harvester.http.AnswerFormatException;
import io.harvester.http.JsonField;
import io.harvester.http.RateBudget;
import io.harvester.output.CsvFormat;
import io.harvester.output.OutputFile;
import io.harvester.pipeline.PipelineBean;
import io.harvester.pipeline.PipelineRefused;
import io.harvester.runs.LiveRun;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunStatus;
import io.harvester.runs.TriggerKind;
import io.harvester.secrets.Secrets;
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
    /** Trigger header: a start's own parameters (a backfill's window, overridden settings), as texts by name. */
    static final String GIVEN = "HarvesterExportParams";
    private static final Logger LOG = LoggerFactory.getLogger(PagedExport.class);

    private String pagination = "page";
    private String pageParam = "page";
    private String sizeParam = "size";
    private String offsetParam = "offset";
    private String limitParam = "limit";
    private int firstPage = 1;
    private int pageSize = 1000;
    private JsonField totalField = new JsonField("total");
    private PageReader pageReader;
    private JsonField listField = new JsonField("list");
    private JsonField cursorField = new JsonField("next");
    private String cursorParam = "";
    private List<JsonField> columns = List.of();
    private int concurrency = 10;
    private int maxPages = 100_000;
    private boolean strictTotal = true;
    private long maxDurationMs = 21_600_000;
    private boolean guardFormulas;
    private String format = "csv";
    private double ratePerSecond;
    private String compress = "none";
    private JsonField incrementalField;
    private String incrementalParam = "";
    private String incrementalEndParam = "";
    private String incrementalStart = "";
    private String lookback = "PT0S";
    private List<String> overridable = List.of();
    private ExportKind exportKind;
    private IncrementalSpec incremental;
    private ExportSettings settings;

    @Override
    protected String kind() {
        return "export";
    }

    @Override
    protected void validate() {
        if (!List.of("page", "cursor", "offset").contains(pagination)) {
            throw new IllegalArgumentException(pipeline() + ": pagination must be 'page', 'cursor' or 'offset', was '" + pagination + "'");
        }
        if (!List.of("csv", "jsonl").contains(format)) {
            throw new IllegalArgumentException(pipeline() + ": format must be 'csv' or 'jsonl', was '" + format + "'");
        }
        if (!List.of("none", "gzip").contains(compress)) {
            throw new IllegalArgumentException(pipeline() + ": compress must be 'none' or 'gzip', was '" + compress + "'");
        }
        settings = new ExportSettings(url, pageSize, concurrency, ratePerSecond, maxPages, strictTotal).checked(pipeline());
        if (maxDurationMs < 0) {
            throw new IllegalArgumentException(pipeline() + ": maxDurationMs must be 0 (no limit) or more, was " + maxDurationMs);
        }
        for (String name : overridable) {
            if (!ExportSettings.OVERRIDABLE.contains(name)) {
                throw new IllegalArgumentException(pipeline() + ": overridable names '" + name + "', which a run cannot override"
                        + " (it may: " + String.join(", ", ExportSettings.OVERRIDABLE) + ")");
            }
        }
        incremental = incrementalSpec();
        // the template's properties are all set by now: one reader for every page
        pageReader = new PageReader(json(), listField, List.of(totalField, cursorField));
        if (exportKind != null) {
            exportKind.declare(pipeline(), this);
        }
    }

    /** The incremental parameters, checked together; null for an export that reads everything each run. */
    private IncrementalSpec incrementalSpec() {
        if (incrementalField == null) {
            for (String[] given : new String[][] {{"incrementalParam", incrementalParam}, {"incrementalEndParam", incrementalEndParam},
                    {"incrementalStart", incrementalStart}}) {
                if (!given[1].isEmpty()) {
                    throw new IllegalArgumentException(pipeline() + ": " + given[0] + " is given but incrementalField is not");
                }
            }
            return null;
        }
        if (incrementalParam.isEmpty()) {
            throw new IllegalArgumentException(pipeline() + ": incrementalField needs incrementalParam, the query parameter"
                    + " that carries the lower bound (e.g. updated_since)");
        }
        Duration back;
        try {
            back = Duration.parse(lookback);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(pipeline() + ": lookback must be an ISO-8601 duration such as PT1H or P1D, was '"
                    + lookback + "'");
        }
        if (back.isNegative()) {
            throw new IllegalArgumentException(pipeline() + ": lookback must not be negative, was " + lookback);
        }
        IncrementalValue start = null;
        if (!incrementalStart.isEmpty()) {
            try {
                start = IncrementalValue.parse(incrementalStart);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(pipeline() + ": incrementalStart " + e.getMessage());
            }
        }
        return new IncrementalSpec(incrementalField, incrementalParam, incrementalEndParam, start, back);
    }

    /** Refuses a watermark of another form than incrementalStart's, or without one the kept one's ({@code kept}, may be null). */
    void sameFormAsKnown(IncrementalValue value, String kept) {
        if (incremental.start() != null) {
            incremental.start().requireSameForm(value);
        } else if (kept != null) {
            IncrementalValue.parse(kept).requireSameForm(value);
        }
    }

    /** Whether the export keeps a watermark. */
    boolean incremental() {
        return incremental != null;
    }

    /**
     * A start's own parameters, checked: a backfill's {@code from} and {@code to} (incremental exports; {@code to}
     * needs incrementalEndParam) and the settings the export names overridable. A refused one names itself.
     */
    Map<String, String> given(Map<String, JsonNode> params) {
        Map<String, String> given = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> param : params.entrySet()) {
            String name = param.getKey();
            String field = "params." + name;
            boolean window = name.equals("from") || name.equals("to");
            if (!window && !overridable.contains(name)) {
                List<String> takes = takes();
                throw new PipelineRefused(400, field, pipeline() + " takes no parameter '" + name + "'"
                        + (takes.isEmpty() ? "" : " (it takes: " + String.join(", ", takes) + ")"));
            }
            if (window && incremental == null) {
                throw new PipelineRefused(400, field, pipeline() + " is not incremental: '" + name + "' bounds the window of an"
                        + " incremental export (incrementalField)");
            }
            if (name.equals("to") && incrementalEndParam.isEmpty()) {
                throw new PipelineRefused(400, field, pipeline() + " has no incrementalEndParam: the API must take an upper"
                        + " bound for a backfill to end at 'to'");
            }
            JsonNode value = param.getValue();
            if (value == null || !(value.isTextual() || value.isNumber() || value.isBoolean())) {
                throw new PipelineRefused(400, field, name + " must be a string, a number or true/false");
            }
            // a decimal as written (1700000000.5), not as a double prints it
            given.put(name, value.isNumber() ? value.decimalValue().toPlainString() : value.asText());
        }
        try {
            settings.with(given, pipeline());
            IncrementalValue from = given.containsKey("from") ? IncrementalValue.parse(given.get("from")) : null;
            IncrementalValue to = given.containsKey("to") ? IncrementalValue.parse(given.get("to")) : null;
            if (from != null && to != null && from.compareTo(to) > 0) {
                throw new IllegalArgumentException("from " + from + " is after to " + to);
            }
        } catch (IllegalArgumentException e) {
            throw new PipelineRefused(400, "params", e.getMessage());
        }
        return given;
    }

    /** The parameters a start of this export may give. */
    List<String> takes() {
        List<String> takes = new ArrayList<>();
        if (incremental != null) {
            takes.add("from");
            if (!incrementalEndParam.isEmpty()) {
                takes.add("to");
            }
        }
        takes.addAll(overridable);
        return takes;
    }

    @Override
    protected Map<String, Object> describe(Exchange exchange) {
        Map<String, Object> params = describe();
        Map<String, String> given = givenTo(exchange);
        if (!given.isEmpty()) {
            // what the run reads, with what its start gave instead
            ExportSettings run = settings.with(given, pipeline());
            params.put("url", run.url());
            params.put("pageSize", run.pageSize());
            params.put("concurrency", run.concurrency());
            params.put("ratePerSecond", run.ratePerSecond());
            params.put("maxPages", run.maxPages());
            params.put("strictTotal", run.strictTotal());
            params.put("given", given);
        }
        return params;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> givenTo(Exchange exchange) {
        Map<String, String> given = exchange.getMessage().getHeader(GIVEN, Map.class);
        return given == null ? Map.of() : given;
    }

    @Override
    protected RunHandle start(Exchange exchange, LiveRun run, TriggerKind trigger) {
        // a run taken over from a dead instance reads what its start gave from its row
        Map<String, String> given = run.takenOver() ? givenOf(run) : givenTo(exchange);
        ExportSettings settings = this.settings.with(given, pipeline());
        IncrementalSpec.Window window = incremental == null ? null
                : incremental.window(given, () -> exportKind.watermarks().kept(pipeline()));
        Map<String, Object> fetch = window == null ? null : Map.of("window", window.describe());
        run.store().steps().write(run.id(), 1, "fetch", RunStatus.RUNNING, 0, fetch, null);
        if (run.takenOver()) {
            // a page window has no durable checkpoint: the run starts over, its dead instance's temporary file gone
            OutputFile.removeStaleTemps(directory(), id -> id != run.id() && run.store().isLive(id));
        }
        OutputFile output = OutputFile.open(directory(), name, run.id(), LocalDateTime.now(), format, compress.equals("gzip"));
        String url = window == null ? settings.url() : window.url(settings.url(), incremental);
        ExportRun export = new ExportRun(run, name, output, paginationFor(settings, url), settings.concurrency(),
                settings.maxPages(), settings.strictTotal());
        if (window != null) {
            export.trackIncrements(incremental.field(), window, exportKind.watermarks());
        }
        export.window().limitTo(settings.ratePerSecond());
        run.limitTo(maxDurationMs, "export " + name + " failed: took longer than maxDurationMs (" + maxDurationMs + " ms)");
        LOG.info("Export {} run {} started ({} trigger){}", name, run.id(), trigger.value(), window == null ? ""
                : window.backfill() ? ": backfill " + window.describe() : window.from() == null ? ": everything, no watermark yet"
                : ": from " + window.from() + (window.kept() == null ? " (incrementalStart)" : " (watermark " + window.read().value()
                + " less lookback " + incremental.lookback() + ")"));
        return export;
    }

    /**
     * What the start of a run gave, as its row recorded it (a run taken over), checked again: a route edit since may
     * have taken a parameter away (the run then fails to start, naming it).
     */
    private Map<String, String> givenOf(LiveRun run) {
        Map<String, JsonNode> recorded = new LinkedHashMap<>();
        run.store().details(run.id()).map(details -> details.params() == null ? null : details.params().get("given"))
                .ifPresent(given -> given.fields().forEachRemaining(e -> recorded.put(e.getKey(), e.getValue())));
        recorded.forEach((name, value) -> {
            if (value.asText().contains(Secrets.MASK)) {
                // the row keeps no secret: the value the start gave cannot be read back
                throw new IllegalStateException("run " + run.id() + " was started with a secret in its " + name
                        + " (masked in its row): it cannot be continued on another instance; start it again");
            }
        });
        try {
            return given(recorded);
        } catch (PipelineRefused refused) {
            throw new IllegalStateException("run " + run.id() + " was started with parameters the export no longer takes: "
                    + refused.getMessage());
        }
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

    /**
     * Reads an answer, rendering its records to CSV as they are read, lets the pagination learn from the rest of it, and
     * queues the rows for writing in order. A bad answer fails before the pagination learns from it: a cursor is never
     * followed from a rejected page.
     */
    public void acceptPage(Exchange exchange) throws IOException {
        ExportRun run = run(exchange);
        PageRequest page = exchange.getProperty(PAGE, PageRequest.class);
        run.window().arrived();
        // the API's own budget: used up, no request before its reset (rather than earning 429s)
        RateBudget.waitMillis(name -> exchange.getMessage().getHeader(name, String.class), System.currentTimeMillis())
                .ifPresent(run.window()::holdFor);
        boolean first = page.index() == 0;
        // sized from the answer (CSV is about two thirds of the JSON): no copies while it grows
        Object body = exchange.getMessage().getBody();
        PageText csv = new PageText(format.equals("jsonl") ? null : new CsvFormat(guardFormulas),
                body instanceof byte[] bytes ? bytes.length * 3 / 4 + 256 : 8192);
        if (!first) {
            csv.columns(run.columns(), false);
        }
        PageHighest highest = new PageHighest(run.incrementalField(), page);
        // the first page's first record names the columns (unless columns are given); later pages use the run's
        JsonNode answer = pageReader.read(exchange.getMessage().getBody(InputStream.class), record -> {
            if (csv.columns() == null) {
                // JSON Lines has no columns: a record's keys need not make column paths
                csv.columns(format.equals("jsonl") ? List.of() : columnsFor(record), true);
            }
            highest.record(record);
            csv.row(record);
        });
        run.wrote(highest.value());
        if (first) {
            if (csv.columns() == null) {
                // no records: the columns given, if any
                csv.columns(columnsFor(null), true);
            }
            run.columns(csv.columns());
        }
        run.window().learn(page.index(), answer, csv.rows());
        run.fetched();
        run.window().deliver(page.index(), csv.chunk());
        exchange.getMessage().setBody(null);
    }

    /** The highest incrementalField value of a page's records (none when the export is not incremental). */
    private static final class PageHighest {
        private final JsonField field;
        private final PageRequest page;
        private IncrementalValue value;
        private int records;

        PageHighest(JsonField field, PageRequest page) {
            this.field = field;
            this.page = page;
        }

        void record(JsonNode record) {
            records++;
            if (field == null) {
                return;
            }
            try {
                value = IncrementalValue.max(value, IncrementalValue.of(field.find(record)));
            } catch (IllegalArgumentException e) {
                throw new AnswerFormatException("record " + records + " of page " + (page.index() + 1) + ": '" + field
                        + "' (incrementalField) " + e.getMessage());
            }
        }

        IncrementalValue value() {
            return value;
        }
    }

    /**
     * A page's rows as text, rendered as its records are read: CSV lines (the first page starts with the header), or
     * with no CSV format JSON Lines, each record as the API sent it on a line of its own (columns do not apply).
     */
    private static final class PageText {
        private final CsvFormat csv;
        private final StringBuilder text;
        private List<JsonField> columns;
        private int rows;

        PageText(CsvFormat csv, int capacity) {
            this.csv = csv;
            this.text = new StringBuilder(capacity);
        }

        /** The columns, once known (null before); the first page of a CSV writes its header line, none without columns. */
        void columns(List<JsonField> columns, boolean header) {
            this.columns = columns;
            if (csv != null && header && !columns.isEmpty()) {
                csv.header(columns.stream().map(JsonField::path).toList(), text);
            }
        }

        List<JsonField> columns() {
            return columns;
        }

        int rows() {
            return rows;
        }

        void row(JsonNode record) {
            if (csv == null) {
                text.append(record.toString()).append('\n');
            } else {
                csv.row(record, columns, text);
            }
            rows++;
        }

        /** The page's text for the window; without the estimate's slack when it was far off (few columns of many fields). */
        ExportRun.Chunk chunk() {
            if (text.capacity() > text.length() + text.length() / 4 + 1024) {
                text.trimToSize();
            }
            return new ExportRun.Chunk(text, rows);
        }
    }

    /** Publishes the CSV and completes the run; a run that already ended stays as it ended. */
    public void publish(Exchange exchange) {
        run(exchange).publish();
    }

    /** The columns given, else the fields of the first record (null: the first page had none). */
    private List<JsonField> columnsFor(JsonNode firstRecord) {
        if (!columns.isEmpty()) {
            return columns;
        }
        List<JsonField> fields = new ArrayList<>();
        if (firstRecord != null) {
            firstRecord.fieldNames().forEachRemaining(f -> fields.add(new JsonField(f)));
        }
        return fields;
    }

    private Pagination paginationFor(ExportSettings settings, String url) {
        int pageSize = settings.pageSize();
        return switch (pagination) {
            case "page" -> new NumberedPagination(url, pageParam, sizeParam, firstPage, pageSize, totalField);
            case "offset" -> new OffsetPagination(url, offsetParam, limitParam, pageSize, totalField);
            default -> new CursorPagination(url, cursorField, cursorParam);
        };
    }

    @Override
    protected Map<String, Object> describe() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("url", url);
        params.put("pagination", pagination);
        params.put("pageSize", pageSize);
        params.put("concurrency", concurrency);
        params.put("format", format);
        params.put("compress", compress);
        if (incremental != null) {
            params.put("incrementalField", incremental.field().path());
            params.put("lookback", incremental.lookback().toString());
        }
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

    public void setRatePerSecond(double ratePerSecond) {
        this.ratePerSecond = ratePerSecond;
    }

    public void setFormat(String format) {
        this.format = format.trim();
    }

    public void setCompress(String compress) {
        this.compress = compress.trim();
    }

    public void setOffsetParam(String offsetParam) {
        this.offsetParam = offsetParam;
    }

    public void setLimitParam(String limitParam) {
        this.limitParam = limitParam;
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

    public void setIncrementalField(String incrementalField) {
        this.incrementalField = incrementalField == null || incrementalField.isBlank() ? null : new JsonField(incrementalField);
    }

    public void setIncrementalParam(String incrementalParam) {
        this.incrementalParam = incrementalParam == null ? "" : incrementalParam.trim();
    }

    public void setIncrementalEndParam(String incrementalEndParam) {
        this.incrementalEndParam = incrementalEndParam == null ? "" : incrementalEndParam.trim();
    }

    public void setIncrementalStart(String incrementalStart) {
        this.incrementalStart = incrementalStart == null ? "" : incrementalStart.trim();
    }

    public void setLookback(String lookback) {
        this.lookback = lookback.trim();
    }

    public void setOverridable(String overridable) {
        this.overridable = overridable == null ? List.of() : Arrays.stream(overridable.split(",")).map(String::trim)
                .filter(p -> !p.isEmpty()).toList();
    }

    public void setExportKind(ExportKind exportKind) {
        this.exportKind = exportKind;
    }

    public void setGuardFormulas(boolean guardFormulas) {
        this.guardFormulas = guardFormulas;
    }
}
