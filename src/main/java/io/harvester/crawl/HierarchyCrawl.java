package io.harvester.crawl;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.http.AnswerFormatException;
import io.harvester.http.HttpRetryPolicy;
import io.harvester.http.RequestHeaders;
import io.harvester.http.RetryPacing;
import io.harvester.http.UpstreamPressure;
import io.harvester.paging.CsvOutput;
import io.harvester.paging.JsonField;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunStore;
import io.harvester.runs.TriggerKind;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The logic behind the {@code hierarchy-crawl} route template, one instance per declared tree. The
 * route carries the flow (trigger, split over the frontier, circuit breaker, HTTP); this bean builds
 * lookups, parses answers, keeps the checkpoint and ends the run. Properties mirror the template's
 * parameters. Also the crawl's JMX view.
 */
public class HierarchyCrawl implements CrawlMXBean, CamelContextAware {

    static final String LOOKUP = "harvesterLookup";
    static final String SKIPPED = "harvesterSkipped";
    /** Exchange property: the limit's cut count when the lookup's current attempt started. */
    static final String LIMIT_CUTS = "harvesterLimitCuts";
    /** Header asking a run to continue the newest partial run, making only its failed lookups again. */
    public static final String RETRY_FAILED = "HarvesterRetryFailed";
    private static final Logger LOG = LoggerFactory.getLogger(HierarchyCrawl.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunStore runStore;
    private DataSource dataSource;
    private String name;
    private String url;
    private String idParam = "id";
    private String nameParam = "name";
    private String typeParam = "type";
    private String listField = "list";
    private String rootParams = "";
    private int depth = 4;
    private int[] levelConcurrency = {5, 10, 15, 20};
    private int maxInFlight = 20;
    private double ratePerSecond;
    private int retries = 3;
    private String outputDir = "output";
    private boolean runAtStartup;
    private long breakerWaitMs = 120_000;
    private RequestHeaders headers = RequestHeaders.parse("");
    private CrawlCheckpoint checkpoint;
    private volatile CrawlRun current;
    private ObjectName jmxName;
    private CamelContext camelContext;
    private ProducerTemplate operations;

    public void init() throws Exception {
        if (depth < 1) {
            throw new IllegalArgumentException("crawl " + name + ": depth must be at least 1, was " + depth);
        }
        if (levelConcurrency.length < depth) {
            throw new IllegalArgumentException("crawl " + name + ": levelConcurrency has " + levelConcurrency.length
                    + " values for depth " + depth);
        }
        if (Arrays.stream(levelConcurrency).anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("crawl " + name + ": every levelConcurrency value must be at least 1, was "
                    + Arrays.toString(levelConcurrency));
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("crawl " + name + ": maxInFlight must be at least 1, was " + maxInFlight);
        }
        checkpoint = new CrawlCheckpoint(dataSource);
        CsvOutput.removeStaleTemps(directory(), runStore::isLive);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        jmxName = new ObjectName("io.harvester:type=crawl,name=" + ObjectName.quote(name));
        if (server.isRegistered(jmxName)) {
            server.unregisterMBean(jmxName);
        }
        server.registerMBean(this, jmxName);
    }

    public void destroy() throws Exception {
        if (operations != null) {
            operations.stop();
        }
        if (jmxName != null && ManagementFactory.getPlatformMBeanServer().isRegistered(jmxName)) {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(jmxName);
        }
    }

    /**
     * Starts a run. It continues the checkpoint of a run a crash or shutdown interrupted, or, when asked
     * with {@link #RETRY_FAILED}, of the newest partial run; otherwise it crawls from the root. The
     * start-up trigger only runs when runAtStartup is set or an interrupted crawl is waiting.
     */
    public void begin(Exchange exchange) {
        TriggerKind trigger = TriggerKind.parse(exchange.getMessage().getHeader(TriggerKind.HEADER));
        boolean retryFailed = exchange.getMessage().getHeader(RETRY_FAILED, false, Boolean.class);
        // interrupted: the newest run that ended was cut off by a crash or a shutdown
        Optional<Long> interrupted = runStore.latest(pipeline(), -1, "completed", "partial", "failed", "abandoned")
                .filter(last -> runStore.latest(pipeline(), -1, "abandoned").equals(Optional.of(last)));
        if (trigger == TriggerKind.STARTUP && !runAtStartup && interrupted.isEmpty()) {
            exchange.setProperty(SKIPPED, true);
            return;
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("url", url);
        params.put("depth", depth);
        params.put("levelConcurrency", Arrays.toString(levelConcurrency));
        params.put("maxInFlight", maxInFlight);
        Optional<Long> id = runStore.begin(pipeline(), trigger.value(), params, directory().toString());
        if (id.isEmpty()) {
            exchange.setProperty(SKIPPED, true);
            return;
        }
        long runId = id.get();
        MDC.put("runId", String.valueOf(runId));
        try {
            start(exchange, runId, trigger, retryFailed ? latestPartial(runId) : interrupted, retryFailed);
        } catch (RuntimeException e) {
            // no run handle yet: end the run here, or it would stay live and every later trigger would be skipped
            runStore.finish(runId, "failed", "crawl " + name + " could not start: " + e.getMessage());
            throw e;
        }
    }

    private void start(Exchange exchange, long runId, TriggerKind trigger, Optional<Long> earlier, boolean retryFailed) {
        AdaptiveLimit limit = new AdaptiveLimit(maxInFlight);
        CrawlFrontier frontier = new CrawlFrontier(levelConcurrency, limit, ratePerSecond,
                () -> exchange.getContext().isStopping());
        CrawlRun run = new CrawlRun(runId, name, depth, runStore, checkpoint, frontier, limit, breakerWaitMs);
        if (earlier.isPresent() && checkpoint.hasNodes(earlier.get())) {
            checkpoint.takeOver(earlier.get(), runId, retryFailed);
            runStore.resumedFrom(runId, earlier.get());
            List<CrawlNode> pending = checkpoint.pending(runId);
            frontier.add(pending.stream().map(Lookup::of).toList());
            LOG.info("Crawl {} run {} continues run {}: {} lookups to go", name, runId, earlier.get(), pending.size());
        } else {
            frontier.add(List.of(Lookup.root()));
            LOG.info("Crawl {} run {} started ({} trigger)", name, runId, trigger.value());
        }
        current = run;
        exchange.setProperty(RunHandle.PROPERTY, run);
        exchange.setProperty(HttpRetryPolicy.RETRIES, retries);
        exchange.setProperty(HttpRetryPolicy.PRESSURE, (UpstreamPressure) HierarchyCrawl::pushedBack);
        exchange.setProperty(HttpRetryPolicy.PACING, (RetryPacing) frontier::reserveRetry);
        exchange.setProperty("harvesterStartedAt", LocalDateTime.now());
    }

    /** The newest finished run, when it is partial: a newer complete or failed run supersedes it. */
    private Optional<Long> latestPartial(long runId) {
        Optional<Long> partial = runStore.latest(pipeline(), runId, "partial");
        return partial.equals(runStore.latest(pipeline(), runId, "completed", "partial", "failed")) ? partial : Optional.empty();
    }

    public Iterator<Lookup> lookups(Exchange exchange) {
        return run(exchange).frontier();
    }

    /** Turns the lookup in the body into a clean GET of the tree API. */
    public void prepareRequest(Exchange exchange) throws InvalidPayloadException {
        Lookup lookup = exchange.getMessage().getMandatoryBody(Lookup.class);
        exchange.setProperty(LOOKUP, lookup);
        exchange.setProperty(LIMIT_CUTS, run(exchange).limit().cuts());
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setBody(null);
        message.setHeader(Exchange.HTTP_URI, urlFor(lookup));
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.GET);
        headers.values().forEach(message::setHeader);
    }

    String urlFor(Lookup lookup) {
        StringBuilder target = new StringBuilder(url);
        if (lookup.parent() == null) {
            if (!rootParams.isBlank()) {
                target.append(url.contains("?") ? '&' : '?').append(rootParams.strip());
            }
            return target.toString();
        }
        CrawlNode node = lookup.parent();
        return query(query(query(url, idParam, node.id()), nameParam, node.name()), typeParam, node.type());
    }

    private static String query(String base, String param, String value) {
        if (value == null) {
            return base;
        }
        return base + (base.contains("?") ? "&" : "?") + java.net.URLEncoder.encode(param, java.nio.charset.StandardCharsets.UTF_8)
                + "=" + java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A lookup's attempt was pushed back: halve the limit once per back-off event; a retry starts under the new limit. */
    private static void pushedBack(Exchange attempt) {
        AdaptiveLimit limit = run(attempt).limit();
        Integer seen = attempt.getProperty(LIMIT_CUTS, Integer.class);
        limit.pushedBack(seen == null ? limit.cuts() : seen);
        attempt.setProperty(LIMIT_CUTS, limit.cuts());
    }

    /** Parses a lookup's answer into its children and records them. */
    public void acceptAnswer(Exchange exchange) throws IOException {
        CrawlRun run = run(exchange);
        Lookup lookup = exchange.getProperty(LOOKUP, Lookup.class);
        JsonNode list = new JsonField(listField).find(parse(exchange));
        if (list == null || !list.isArray()) {
            throw new AnswerFormatException("field '" + listField + "' (listField) is " + (list == null ? "missing" : "not a list"));
        }
        List<CrawlNode> children = new ArrayList<>(list.size());
        int position = 0;
        for (JsonNode item : list) {
            position++;
            String id = text(item, idParam);
            if (id == null) {
                throw new AnswerFormatException("item " + position + " has no '" + idParam + "'");
            }
            CrawlNode parent = lookup.parent();
            children.add(new CrawlNode(CrawlNode.childKey(parent == null ? "" : parent.key(), position), lookup.level(), id,
                    text(item, nameParam), text(item, typeParam), parent == null ? null : parent.id(),
                    parent == null ? id : parent.path() + "/" + id));
        }
        run.answered(lookup, children);
        exchange.getMessage().setBody(null);
    }

    /** Ends the run once the frontier is empty (or the daemon is stopping). */
    public void finish(Exchange exchange) {
        CrawlRun run = run(exchange);
        run.finish(exchange.getContext().isStopping(), directory(), exchange.getProperty("harvesterStartedAt",
                LocalDateTime.class));
    }

    private static JsonNode parse(Exchange exchange) throws IOException {
        try (InputStream body = exchange.getMessage().getBody(InputStream.class)) {
            if (body == null) {
                throw new AnswerFormatException("response has no body");
            }
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new AnswerFormatException("response is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode item, String field) {
        JsonNode value = item.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static CrawlRun run(Exchange exchange) {
        return exchange.getProperty(RunHandle.PROPERTY, CrawlRun.class);
    }

    String pipeline() {
        return "crawl:" + name;
    }

    Path directory() {
        return Path.of(outputDir, name);
    }

    // JMX view

    @Override
    public String getPipeline() {
        return pipeline();
    }

    @Override
    public int getCurrentLimit() {
        CrawlRun run = current;
        return run == null ? maxInFlight : run.limit().current();
    }

    @Override
    public int getMaxInFlight() {
        return maxInFlight;
    }

    @Override
    public int getInFlight() {
        CrawlRun run = current;
        return run == null ? 0 : run.frontier().inFlight();
    }

    @Override
    public int getPending() {
        CrawlRun run = current;
        return run == null ? 0 : run.frontier().pendingCount();
    }

    @Override
    public String[] getLimitHistory() {
        CrawlRun run = current;
        return run == null ? new String[0]
                : run.limit().history().stream().map(c -> c.atMillis() + "=" + c.limit()).toArray(String[]::new);
    }

    @Override
    public long getCurrentRunId() {
        CrawlRun run = current;
        return run == null ? -1 : run.id();
    }

    @Override
    public String runNow() {
        return startInBackground(Map.of(TriggerKind.HEADER, TriggerKind.MANUAL.value()), "run");
    }

    @Override
    public String retryFailedSubtrees() {
        Optional<Long> partial = latestPartial(-1);
        if (partial.isEmpty()) {
            return "nothing to retry: the newest finished run of " + pipeline() + " is not partial";
        }
        return startInBackground(Map.of(TriggerKind.HEADER, TriggerKind.MANUAL.value(), RETRY_FAILED, true),
                "retry of the failed subtrees of run " + partial.get());
    }

    private synchronized String startInBackground(Map<String, Object> headers, String what) {
        if (operations == null) {
            operations = camelContext.createProducerTemplate();
        }
        operations.asyncRequestBodyAndHeaders("trigger:" + pipeline(), null, headers);
        return what + " of " + pipeline() + " started; see the runs table for its outcome";
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /** The limit history of the current (or last) run, for tests. */
    public List<AdaptiveLimit.Change> limitHistory() {
        CrawlRun run = current;
        return run == null ? List.of() : run.limit().history();
    }

    // properties (the template's parameters)

    public void setRunStore(RunStore runStore) {
        this.runStore = runStore;
    }

    public void setDataSource(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void setName(String name) {
        this.name = name;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public void setIdParam(String idParam) {
        this.idParam = idParam;
    }

    public void setNameParam(String nameParam) {
        this.nameParam = nameParam;
    }

    public void setTypeParam(String typeParam) {
        this.typeParam = typeParam;
    }

    public void setListField(String listField) {
        this.listField = listField;
    }

    public void setRootParams(String rootParams) {
        this.rootParams = rootParams == null ? "" : rootParams;
    }

    public void setDepth(int depth) {
        this.depth = depth;
    }

    public void setLevelConcurrency(String levelConcurrency) {
        this.levelConcurrency = Arrays.stream(levelConcurrency.split(",")).map(String::trim).mapToInt(Integer::parseInt)
                .toArray();
    }

    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    public void setRatePerSecond(double ratePerSecond) {
        this.ratePerSecond = ratePerSecond;
    }

    public void setRetries(int retries) {
        this.retries = retries;
    }

    public void setOutputDir(String outputDir) {
        this.outputDir = outputDir;
    }

    public void setRunAtStartup(boolean runAtStartup) {
        this.runAtStartup = runAtStartup;
    }

    public void setBreakerWaitMs(long breakerWaitMs) {
        this.breakerWaitMs = breakerWaitMs;
    }

    public void setHeaders(String headers) {
        this.headers = RequestHeaders.parse(headers);
    }
}
