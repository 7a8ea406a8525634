package io.harvester.testkind;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import io.harvester.pipeline.PipelineKind;
import io.harvester.pipeline.PipelineRefused;
import io.harvester.runs.LiveRun;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunStatus;
import io.harvester.runs.RunTemplate;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * A pipeline kind of the test tree ({@code test:<name>}): a plain Camel route made a run by the kind's
 * runner. That it starts, skips, cancels, takes a parameter, has a JMX view and follows live edits without
 * a line in the kernel, the trigger, the runs API or live reload is what {@link TestKindTest} shows.
 */
public final class TestKind implements PipelineKind {

    /** Trigger header carrying the {@code greeting} parameter of an API start. */
    public static final String GREETING = "TestGreeting";
    /** The pipelines whose routes went, in the order the kernel released them. */
    public final List<String> released = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "test";
    }

    @Override
    public Processor runner(CamelContext context, String pipeline, Processor route) {
        RunTemplate runs = new RunTemplate(context.getRegistry().findSingleByType(RunLifecycle.class));
        return exchange -> runs.run(exchange, RunTemplate.Spec.of(pipeline,
                        Map.of("greeting", exchange.getMessage().getHeader(GREETING, "hello", String.class))),
                e -> pipeline + " failed: " + e.getMessage(), run -> {
                    exchange.setProperty(RunHandle.PROPERTY, new TestRun(run));
                    route.process(exchange);
                    if (exchange.getException() != null) {
                        // not handled by the shared error handling: the run still ends failed, naming it
                        throw exchange.getException();
                    }
                    run.end(RunStatus.COMPLETED, null, null);
                });
    }

    @Override
    public void release(CamelContext context, String pipeline) {
        released.add(pipeline);
    }

    @Override
    public Map<String, Object> startHeaders(String pipeline, Map<String, JsonNode> params) {
        for (Map.Entry<String, JsonNode> param : params.entrySet()) {
            if (!param.getKey().equals("greeting") || !param.getValue().isTextual()) {
                throw new PipelineRefused(400, "params." + param.getKey(), pipeline + " takes one text parameter: greeting");
            }
        }
        return params.containsKey("greeting") ? Map.of(GREETING, params.get("greeting").asText()) : Map.of();
    }

    /** The run as the route sees it: the shared error handling fails it; a step may wait while it is live. */
    public static final class TestRun implements RunHandle {
        private final LiveRun run;

        TestRun(LiveRun run) {
            this.run = run;
        }

        @Override
        public long id() {
            return run.id();
        }

        public boolean isLive() {
            return run.isLive();
        }

        @Override
        public void fail(Throwable cause, Exchange exchange) {
            run.end(RunStatus.FAILED, run.pipeline() + " failed: " + cause.getMessage(), null);
        }
    }
}
