package io.harvester.crawl;

import java.io.IOException;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.management.ObjectName;
import javax.sql.DataSource;

import io.harvester.http.HttpFailures;
import io.harvester.http.HttpRetryPolicy;
import io.harvester.http.RateBudget;
import io.harvester.http.RetryPacing;
import io.harvester.http.UpstreamPressure;
import io.harvester.infra.HarvesterMBeans;
import io.harvester.pipeline.PipelineBean;
import io.harvester.trigger.PipelineView;
import io.harvester.runs.LiveRun;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunRepository;
import org.apache.camel.util.TimeUtils;
import org.redisson.api.RedissonClient;
import io.harvester.runs.RunStatus;
import io.harvester.trigger.TriggerComponent;
import io.harvester.runs.TriggerKind;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logic behind the {@code hierarchy-crawl} route template, one instance per declared tree. The
 * route carries the flow (trigger, split over the frontier, circuit breaker, HTTP); this bean builds
 * lookups, parses answers, keeps the checkpoint and ends the run, on the run skeleton of
 * {@link PipelineBean}. Properties mirror the template's parameters; {@link CrawlView} is its JMX view.
 */
public class HierarchyCrawl extends PipelineBean implements CamelContextAware {

    static final String LOOKUP = "harvesterLookup";
    /** Exchange property: the limit's cut count when the lookup's current attempt started. */
    static final String LIMIT_CUTS = "harvesterLimitCuts";
    /** Header asking a run to continue the newest partial run, making only its failed lookups again. */
    public static final String RETRY_FAILED = "HarvesterRetryFailed";
    private static final Logger LOG = LoggerFactory.getLogger(HierarchyCrawl.class);

    private final CrawlApi api = new CrawlApi();
    private final CrawlLimits limits = new CrawlLimits();
    private DataSource dataSource;
    private boolean runAtStartup;
    private boolean spread;
    private RedissonClient redisson;
    private long leaseMillis;
    private CrawlCheckpoint checkpoint;
    private volatile CrawlRun current;
    private ObjectName jmxName;
    private CamelContext camelContext;

    @Override
    protected String kind() {
        return "crawl";
    }

    @Override
    protected void validate() {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(pipeline() + ": url is empty");
        }
        api.setUrl(url);
        limits.validate(pipeline());
    }

    @Override
    public void init() {
        super.init();
        checkpoint = new CrawlCheckpoint(dataSource, runLifecycle.store().fence());
        try {
            jmxName = PipelineView.name(pipeline());
            HarvesterMBeans.register(camelContext, new CrawlView(this, camelContext), jmxName);
        } catch (Exception e) {
            throw new IllegalStateException(pipeline() + ": cannot register its MBean: " + e.getMessage(), e);
        }
    }

    public void destroy() throws Exception {
        HarvesterMBeans.unregister(jmxName);
    }

    /**
     * Removes the JMX view of a crawl whose route is gone (a live route edit deleted it): Camel does not
     * call a route template bean's destroyMethod when its route is removed.
     */
    public static void unregisterView(String crawl) {
        try {
            HarvesterMBeans.unregister(PipelineView.name("crawl:" + crawl));
        } catch (Exception e) {
            LOG.warn("Crawl {}: its JMX view was not removed: {}", crawl, e.getMessage());
        }
    }

    /**
     * Starts a run. It continues the checkpoint of a run a crash or shutdown interrupted, or, when asked
     * with {@link #RETRY_FAILED}, of the newest partial run; otherwise it crawls from the root. The
     * start-up trigger only runs when runAtStartup is set or an interrupted crawl is waiting.
     */
    @Override
    protected boolean wantsRun(Exchange exchange, TriggerKind trigger) {
        return trigger != TriggerKind.STARTUP || runAtStartup || interrupted().isPresent();
    }

    /** The newest run that ended, when a crash or a shutdown cut it off: the next run continues it. */
    private Optional<Long> interrupted() {
        RunRepository runStore = runLifecycle.store();
        return runStore.latest(pipeline(), -1, RunStatus.COMPLETED, RunStatus.PARTIAL, RunStatus.FAILED,
                        RunStatus.ABANDONED, RunStatus.INTERRUPTED)
                .filter(last -> runStore.latest(pipeline(), -1, RunStatus.ABANDONED, RunStatus.INTERRUPTED)
                        .equals(Optional.of(last)));
    }

    /**
     * A start cut short by the database (after the checkpoint was taken over, say) leaves the checkpoint
     * with this run: it ends interrupted, so the next run continues it instead of starting over.
     */
    @Override
    protected RunStatus statusWhenStartFails(RuntimeException failure) {
        return HttpFailures.isLocal(failure) ? RunStatus.INTERRUPTED : RunStatus.FAILED;
    }

    @Override
    protected Map<String, Object> describe() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("url", url);
        params.put("depth", limits.depth());
        params.put("levelConcurrency", Arrays.toString(limits.levelConcurrency()));
        params.put("maxInFlight", limits.maxInFlight());
        if (spread) {
            // read by every instance's takeover tick: a spread run is helped by each that has the pipeline
            params.put("spread", true);
        }
        return params;
    }

    @Override
    protected RunHandle start(Exchange exchange, LiveRun live, TriggerKind trigger) {
        boolean retryFailed = exchange.getMessage().getHeader(RETRY_FAILED, false, Boolean.class);
        Optional<Long> earlier = retryFailed ? latestPartial(live.id()) : interrupted();
        long runId = live.id();
        RunRepository runStore = live.store();
        AdaptiveLimit limit = new AdaptiveLimit(limits.maxInFlight());
        SpreadFrontier spreadFrontier = !spread && !live.helping() ? null : new SpreadFrontier(live, checkpoint,
                new SharedCrawlLimits(redisson, pipeline(), runId, runStore.owner(), limits.levelConcurrency(), limits.maxInFlight(),
                        limits.ratePerSecond(), leaseMillis), leaseMillis, limits.maxInFlight());
        CrawlFrontier frontier = new CrawlFrontier(limits.levelConcurrency(), limit, limits.ratePerSecond(),
                () -> exchange.getContext().isStopping(), spreadFrontier);
        CrawlRun run = new CrawlRun(live, name, limits.depth(), checkpoint, frontier, limit, limits.breakerWaitMs(),
                spreadFrontier);
        if (live.helping()) {
            // another instance's run: its pending lookups are claimed from the checkpoint as they come
            spreadFrontier.releaseClaims();
            LOG.info("Crawl {} helps with run {} of another instance", name, runId);
        } else if (live.takenOver() && checkpoint.hasNodes(runId)) {
            // taken over from a dead instance: the same run goes on from its own checkpoint
            int pending = continueFrom(runId, frontier, spreadFrontier);
            LOG.info("Crawl {} run {} continues after a takeover: {} lookups to go", name, runId, pending);
        } else if (!live.takenOver() && earlier.isPresent() && checkpoint.hasNodes(earlier.get())) {
            checkpoint.takeOver(earlier.get(), runId, retryFailed);
            runStore.resumedFrom(runId, earlier.get());
            int pending = continueFrom(runId, frontier, spreadFrontier);
            LOG.info("Crawl {} run {} continues run {}: {} lookups to go", name, runId, earlier.get(), pending);
        } else {
            frontier.add(List.of(Lookup.root()));
            LOG.info("Crawl {} run {} started ({} trigger)", name, runId, trigger.value());
        }
        current = run;
        exchange.setProperty(HttpRetryPolicy.PRESSURE, (UpstreamPressure) HierarchyCrawl::pushedBack);
        exchange.setProperty(HttpRetryPolicy.PACING, (RetryPacing) frontier::reserveRetry);
        exchange.setProperty("harvesterStartedAt", LocalDateTime.now());
        return run;
    }

    /**
     * Queues the checkpoint's pending lookups; a spread crawl's stay in the checkpoint for whoever claims them
     * (this instance's own claims from an earlier life go back first). How many are to go.
     */
    private int continueFrom(long runId, CrawlFrontier frontier, SpreadFrontier spreadFrontier) {
        List<CrawlNode> pending = checkpoint.pending(runId);
        if (spreadFrontier != null) {
            spreadFrontier.releaseClaims();
        } else {
            frontier.add(pending.stream().map(Lookup::of).toList());
        }
        return pending.size();
    }

    Optional<Long> latestPartial(long runId) {
        return latestPartial(runLifecycle.store(), pipeline(), runId);
    }

    /**
     * The newest finished run of a crawl other than {@code runId}, when it is partial: a newer complete or
     * failed run supersedes it. What a retry of the failed subtrees continues.
     */
    public static Optional<Long> latestPartial(RunRepository runStore, String pipeline, long runId) {
        Optional<Long> partial = runStore.latest(pipeline, runId, RunStatus.PARTIAL);
        return partial.equals(runStore.latest(pipeline, runId, RunStatus.COMPLETED, RunStatus.PARTIAL, RunStatus.FAILED))
                ? partial : Optional.empty();
    }

    public Iterator<Lookup> lookups(Exchange exchange) {
        return run(exchange).frontier();
    }

    /** Turns the lookup in the body into a clean GET of the tree API. */
    public void prepareRequest(Exchange exchange) throws InvalidPayloadException {
        Lookup lookup = exchange.getMessage().getMandatoryBody(Lookup.class);
        exchange.setProperty(LOOKUP, lookup);
        exchange.setProperty(LIMIT_CUTS, run(exchange).limit().cuts());
        prepareGet(exchange, api.urlFor(lookup));
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
        // the API's own budget: used up, no lookup before its reset (rather than earning 429s)
        RateBudget.waitMillis(name -> exchange.getMessage().getHeader(name, String.class), System.currentTimeMillis())
                .ifPresent(run::holdFor);
        List<CrawlNode> children = api.children(lookup, parse(exchange));
        run.answered(lookup, children);
        exchange.getMessage().setBody(null);
    }

    /** Ends the run once the frontier is empty (or the daemon is stopping). */
    public void finish(Exchange exchange) {
        CrawlRun run = run(exchange);
        run.finish(exchange.getContext().isStopping(), directory(), exchange.getProperty("harvesterStartedAt",
                LocalDateTime.class));
    }

    private static CrawlRun run(Exchange exchange) {
        return exchange.getProperty(RunHandle.PROPERTY, CrawlRun.class);
    }

    /** The run going on now, or the last one; null before the first. */
    CrawlRun current() {
        return current;
    }

    int maxInFlight() {
        return limits.maxInFlight();
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

    public void setDataSource(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The tree API's shape (template parameters idParam, nameParam, typeParam, listField, rootParams). */
    public CrawlApi getApi() {
        return api;
    }

    /** The crawl's limits (template parameters depth, levelConcurrency, maxInFlight, ratePerSecond, breakerWaitMs). */
    public CrawlLimits getLimits() {
        return limits;
    }

    public void setRunAtStartup(boolean runAtStartup) {
        this.runAtStartup = runAtStartup;
    }

    /** Template parameter {@code spread}: every instance with the pipeline makes lookups of its runs. */
    public void setSpread(boolean spread) {
        this.spread = spread;
    }

    /** Where a spread crawl's limits are shared (Redis). */
    public void setRedisson(RedissonClient redisson) {
        this.redisson = redisson;
    }

    /** {@code harvester.cluster.lease}: how long a dead instance's claims and permits hold. */
    public void setLease(String lease) {
        this.leaseMillis = TimeUtils.toMilliSeconds(lease);
    }

}
