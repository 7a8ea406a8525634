package io.harvester.runs.logs;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.harvester.runs.RunHandle;
import io.harvester.secrets.Secrets;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginElement;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;

/**
 * {@code <RunLog>} in log4j2.xml: every INFO-or-above line carrying a run id ({@link RunHandle#MDC_KEY},
 * the {@code [run=N]} of the console) is handed to the {@link RunLogSink} of the daemon working on that
 * run, which writes it to run_logs and to the run's log file. The logging thread only formats the line
 * and offers it to a bounded queue: it never waits for the database or the disk.
 */
@Plugin(name = "RunLog", category = Core.CATEGORY_NAME, elementType = Appender.ELEMENT_TYPE)
public final class RunLogAppender extends AbstractAppender {

    /** Camel's MDC key of the step EIP at work: a job's step. */
    private static final String STEP_KEY = "camel.stepId";
    /** The sinks of the daemons of this JVM (one in production; tests may start several). */
    private static final List<RunLogSink> SINKS = new CopyOnWriteArrayList<>();

    private RunLogAppender(String name, Filter filter, Layout<? extends Serializable> layout) {
        super(name, filter, layout, true, Property.EMPTY_ARRAY);
    }

    @PluginFactory
    public static RunLogAppender create(@PluginAttribute("name") String name,
                                        @PluginElement("Layout") Layout<? extends Serializable> layout,
                                        @PluginElement("Filter") Filter filter) {
        return new RunLogAppender(name == null ? "runLog" : name, filter, layout);
    }

    static void attach(RunLogSink sink) {
        SINKS.add(sink);
    }

    static void detach(RunLogSink sink) {
        SINKS.remove(sink);
    }

    @Override
    public void append(LogEvent event) {
        if (SINKS.isEmpty() || !event.getLevel().isMoreSpecificThan(Level.INFO) || fromCamel(event)) {
            return;
        }
        String id = event.getContextData().getValue(RunHandle.MDC_KEY);
        if (id == null || id.isEmpty()) {
            return;
        }
        long runId;
        try {
            runId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            return;
        }
        for (RunLogSink sink : SINKS) {
            if (sink.accepts(runId)) {
                sink.offer(new RunLogLine(runId, event.getTimeMillis(), event.getLevel().name(),
                        event.getContextData().getValue(STEP_KEY), event.getLoggerName(),
                        Secrets.mask(event.getMessage().getFormattedMessage()), fileLine(event)));
            }
        }
    }

    /**
     * Camel's own lines (its error handler's "Failed delivery for (MessageId: ...)", consumers' errors) are
     * left to the console log: a run's log is Harvester's lines and the pipelines' own log steps, and the
     * run's error is in it once, in words, with the run's end.
     */
    private static boolean fromCamel(LogEvent event) {
        String logger = event.getLoggerName();
        return logger != null && logger.startsWith("org.apache.camel.");
    }

    private String fileLine(LogEvent event) {
        Layout<? extends Serializable> layout = getLayout();
        if (layout == null) {
            return event.getLevel() + " " + Secrets.mask(event.getMessage().getFormattedMessage()) + System.lineSeparator();
        }
        return new String(layout.toByteArray(event), java.nio.charset.StandardCharsets.UTF_8);
    }
}
