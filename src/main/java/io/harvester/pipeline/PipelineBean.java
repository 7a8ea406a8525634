package io.harvester.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.http.AnswerBounds;
import io.harvester.http.AnswerFormatException;
import io.harvester.http.BoundedAnswers;
import io.harvester.http.HttpFailures;
import io.harvester.http.HttpRetryPolicy;
import io.harvester.http.RequestHeaders;
import io.harvester.infra.ExactJson;
import io.harvester.output.OutputFile;
import io.harvester.output.OutputFolder;
import io.harvester.runs.LiveRun;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunStatus;
import io.harvester.runs.RunTemplate;
import io.harvester.runs.TriggerKind;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.component.http.HttpMethods;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The skeleton every pipeline bean shares (exports, crawls, and the kinds to come): the template's
 * common parameters, start-up checks, beginning a run (or recording the trigger skipped), the clean
 * GET a request becomes, and parsing an answer. A kind adds what it fetches and what it makes of it.
 * <p>
 * It is also its route's {@code httpClientConfigurer}: answers are read through {@link BoundedAnswers}
 * ({@code maxResponseBytes}, {@code maxAnswerMs} from the request to the last byte, head included, the
 * stall named after {@code timeoutMs}, cut off once the run ended).
 * <p>
 * Between inserting a run row and handing the run to its handle nothing may fail unnoticed: a failure
 * in {@link #start} ends the run failed with the cause, so no run is left live without a thread on it.
 */
public abstract class PipelineBean implements HttpClientConfigurer {

    /** Exchange property: the trigger did not start a run (one is live, or nothing to do); the route stops. */
    public static final String SKIPPED = "harvesterSkipped";
    private static final ObjectMapper JSON = ExactJson.MAPPER;
    private static final Logger LOG = LoggerFactory.getLogger(PipelineBean.class);

    protected RunLifecycle runLifecycle;
    protected String name;
    protected String url;
    protected String outputDir = "output";
    protected RequestHeaders headers = RequestHeaders.parse("");
    protected int retries = 3;
    private final BoundedAnswers answers = new BoundedAnswers();

    /** The kind in the pipeline's name: {@code export}, {@code crawl}. */
    protected abstract String kind();

    /** Checks the parameters; a bad one fails start-up, naming it. */
    protected abstract void validate();

    /** What {@code runs.params} shows of this pipeline. */
    protected abstract Map<String, Object> describe();

    /** What {@code runs.params} shows of the run this trigger begins (a kind that takes a start's parameters adds them). */
    protected Map<String, Object> describe(Exchange exchange) {
        return describe();
    }

    /** Sets up the run's own state once its row exists; a failure here ends the run failed. */
    protected abstract RunHandle start(Exchange exchange, LiveRun run, TriggerKind trigger);

    /** How a run ends when {@link #start} fails: failed, unless a kind can resume it. */
    protected RunStatus statusWhenStartFails(RuntimeException failure) {
        return RunStatus.FAILED;
    }

    /** Whether this trigger should start a run at all (a crawl's start-up trigger may have nothing to do). */
    protected boolean wantsRun(Exchange exchange, TriggerKind trigger) {
        return true;
    }

    /** Checks the parameters and the output folder, and removes temporary files interrupted runs left. */
    public void init() {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a " + kind() + " needs a name");
        }
        validate();
        AnswerBounds bounds = answers.bounds();
        if (bounds.maxBytes() < 1) {
            throw new IllegalArgumentException(pipeline() + ": maxResponseBytes must be at least 1, was " + bounds.maxBytes());
        }
        if (bounds.maxAnswerMs() < 0) {
            throw new IllegalArgumentException(pipeline() + ": maxAnswerMs must be 0 (no limit) or more, was " + bounds.maxAnswerMs());
        }
        answers.timer(runLifecycle::schedule);
        OutputFolder.requireWritable(directory(), pipeline());
        int removed = OutputFile.removeStaleTemps(directory(), runLifecycle.store()::isLive);
        if (removed > 0) {
            LOG.info("{}: removed {} temporary file(s) left by interrupted runs in {}", pipeline(), removed, directory());
        }
    }

    /** Starts a run, or marks the exchange skipped when a run of this pipeline is still live. */
    public void begin(Exchange exchange) {
        TriggerKind trigger = TriggerKind.parse(exchange.getMessage().getHeader(TriggerKind.HEADER));
        // a run taken over from a dead instance, or helped with, goes on whatever its trigger
        boolean continued = exchange.getMessage().getHeader(RunTemplate.TAKE_OVER) != null
                || exchange.getMessage().getHeader(RunTemplate.HELP) != null;
        if (!continued && !wantsRun(exchange, trigger)) {
            exchange.setProperty(SKIPPED, true);
            return;
        }
        // the run's id stays in the thread's MDC for the rest of the route; the trigger gives the thread its own back
        Optional<LiveRun> begun = new RunTemplate(runLifecycle).begin(exchange,
                new RunTemplate.Spec(pipeline(), describe(exchange), directory().toString()));
        if (begun.isEmpty()) {
            exchange.setProperty(SKIPPED, true);
            return;
        }
        LiveRun run = begun.get();
        // one run of a pipeline at a time: answers still coming in after it ended are cut off
        answers.runEnded(() -> !run.isLive());
        try {
            exchange.setProperty(RunHandle.PROPERTY, start(exchange, run, trigger));
            exchange.setProperty(HttpRetryPolicy.RETRIES, retries);
        } catch (RuntimeException e) {
            String message = kind() + " " + name + " could not start: " + HttpFailures.describe(e);
            run.end(statusWhenStartFails(e), message, null);
            LOG.error(message, e);
            exchange.setProperty(SKIPPED, true);
        }
    }

    /** Turns the exchange into a clean GET of {@code target}: no inbound headers leak upstream, ours are added. */
    protected void prepareGet(Exchange exchange, String target) {
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setBody(null);
        message.setHeader(Exchange.HTTP_URI, target);
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.GET);
        headers.values().forEach(message::setHeader);
    }

    /** How answers are read: decimals exactly as sent. */
    protected static ObjectMapper json() {
        return JSON;
    }

    /** The answer's JSON; an empty or malformed body fails with a message naming what is wrong. */
    protected static JsonNode parse(Exchange exchange) throws IOException {
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

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addExecInterceptorFirst(BoundedAnswers.NAME, answers);
    }

    public String pipeline() {
        return kind() + ":" + name;
    }

    public Path directory() {
        return Path.of(outputDir, name);
    }

    public void setRunLifecycle(RunLifecycle runLifecycle) {
        this.runLifecycle = runLifecycle;
    }

    public void setName(String name) {
        this.name = name;
    }

    public void setUrl(String url) {
        this.url = url;
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

    public void setMaxResponseBytes(long maxResponseBytes) {
        answers.bounds(answers.bounds().withMaxBytes(maxResponseBytes));
    }

    public void setTimeoutMs(long timeoutMs) {
        answers.bounds(answers.bounds().withTimeoutMs(timeoutMs));
    }

    public void setMaxAnswerMs(long maxAnswerMs) {
        answers.bounds(answers.bounds().withMaxAnswerMs(maxAnswerMs));
    }
}
