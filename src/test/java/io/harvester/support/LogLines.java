package io.harvester.support;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * The log lines of this JVM at INFO and above while it is open, as {@code LEVEL message}: for tests that
 * assert on what an operator reads in the log.
 */
public final class LogLines implements AutoCloseable {

    private final List<String> lines = new ArrayList<>();
    private final AbstractAppender appender;

    private LogLines() {
        appender = new AbstractAppender("test-lines-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                synchronized (lines) {
                    lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
                }
            }
        };
    }

    public static LogLines capture() {
        LogLines capture = new LogLines();
        capture.appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(capture.appender, Level.INFO, null);
        context.updateLoggers();
        return capture;
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The lines that contain {@code part}. */
    public List<String> containing(String part) {
        return lines().stream().filter(line -> line.contains(part)).toList();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }
}
