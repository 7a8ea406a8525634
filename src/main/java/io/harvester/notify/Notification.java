package io.harvester.notify;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.runs.RunEvent;
import io.harvester.runs.RunRepository.EndedRun;
import io.harvester.runs.RunStatus;

/**
 * One notification as the webhook receives it: a Slack-compatible {@code text} (one line naming the pipeline, the
 * run, the event and the error) and the same in fields ({@code event}, {@code pipeline}, {@code run},
 * {@code status}, {@code error}, {@code detail}, {@code instance}, {@code at}). {@code error} is the run's error as
 * its row holds it (secrets masked); {@code detail} says what else there is to say: the dead instance a run was
 * taken over from, the run a recovery follows.
 */
public record Notification(NotifyEvent event, String pipeline, long run, RunStatus status, String error, String detail,
                           String instance, Instant at) {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The most characters of an error the one-line text carries (the field carries it whole). */
    static final int TEXT_ERROR_LIMIT = 300;

    /** The notification of a recorded run event; {@code before} is the run a recovery follows (else unused). */
    public static Notification of(NotifyEvent event, RunEvent recorded, Optional<EndedRun> before) {
        String error = recorded.kind() == RunEvent.Kind.ENDED && event != NotifyEvent.RECOVERED ? recorded.detail() : null;
        String detail = switch (event) {
            case TAKEN_OVER -> recorded.detail();
            case RECOVERED -> before.map(run -> "after run " + run.id() + " " + run.status().word()).orElse(null);
            default -> null;
        };
        return new Notification(event, recorded.pipeline(), recorded.runId(), recorded.status(), error, detail,
                recorded.instance(), recorded.at());
    }

    /**
     * The one-line message: {@code Harvester: export:orders run 42 failed: HTTP 503 ...}, {@code Harvester:
     * export:orders run 43 recovered (completed after run 42 failed)}, {@code Harvester: crawl:shop run 7 taken over by
     * instance b: instance a silent since ...}.
     */
    public String text() {
        String head = "Harvester: " + pipeline + " run " + run + " ";
        return switch (event) {
            case FAILED, ABANDONED -> head + event.word() + (error == null ? "" : ": " + oneLine(error, event.word()));
            case TAKEN_OVER -> head + "taken over by instance " + instance + (detail == null ? "" : ": " + detail);
            case RECOVERED -> head + "recovered (completed" + (detail == null ? "" : " " + detail) + ")";
        };
    }

    /** The webhook's body: {@code text} first, then the fields; absent values are null. */
    public Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        // Slack reads & < > as its own markup (<!channel> in an error would ping a channel): escaped as it asks
        fields.put("text", text().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"));
        fields.put("event", event.word());
        fields.put("pipeline", pipeline);
        fields.put("run", run);
        fields.put("status", status.word());
        fields.put("error", error);
        fields.put("detail", detail);
        fields.put("instance", instance);
        fields.put("at", at.toString());
        return fields;
    }

    public String json() {
        try {
            return JSON.writeValueAsString(fields());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("notification of run " + run + " not written as JSON", e);
        }
    }

    /**
     * An error on one line, without the status word it may start with ("abandoned: instance a silent since ..."
     * after "abandoned"), cut at {@link #TEXT_ERROR_LIMIT} characters.
     */
    static String oneLine(String error, String word) {
        String line = error.replaceAll("\\s+", " ").strip();
        if (line.startsWith(word + ": ")) {
            line = line.substring(word.length() + 2);
        }
        return line.length() <= TEXT_ERROR_LIMIT ? line : line.substring(0, TEXT_ERROR_LIMIT - 1) + "…";
    }

    /** For log lines: {@code run 42 of export:orders (failed)}. */
    public String what() {
        return "run " + run + " of " + pipeline + " (" + event.word() + ")";
    }
}
