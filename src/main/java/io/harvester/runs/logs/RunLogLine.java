package io.harvester.runs.logs;

/** One log line of a run as the appender took it: what goes to run_logs, and the line its file gets. */
record RunLogLine(long runId, long millis, String level, String step, String logger, String message, String fileLine) {
}
