package io.harvester.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** A delayed-task request's body: what it may say, and the field named for each thing it may not. */
class DelayedTaskRequestTest {

    private static final String KEY = "harvester:delayed";

    private static List<DelayedTask> parse(String body) {
        return DelayedTaskRequest.parse(body, KEY);
    }

    private static void refused(String body, String field, String problem) {
        assertThatThrownBy(() -> parse(body)).as(body).isInstanceOfSatisfying(InvalidTaskException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).isEqualTo(field + ": " + problem);
        });
    }

    @Test
    void should_read_one_task_or_an_array_with_any_json_element_and_either_kind_of_due_time() {
        assertThat(parse("{\"set\": \"s\", \"element\": \"e\", \"due\": \"2030-01-01T02:00:00+02:00\"}"))
                .containsExactly(new DelayedTask("s", "e", Instant.parse("2030-01-01T00:00:00Z")));
        assertThat(parse("""
                [{"set": "s", "element": {"keyword": "shoe", "hour": 4}, "due": 1893456000000},
                 {"set": "t", "element": 42, "due": "2030-01-01T00:00:00.250Z"},
                 {"set": "t", "element": ["a", null], "due": 0}]"""))
                .containsExactly(new DelayedTask("s", "{\"keyword\":\"shoe\",\"hour\":4}", Instant.parse("2030-01-01T00:00:00Z")),
                        new DelayedTask("t", "42", Instant.parse("2030-01-01T00:00:00.250Z")),
                        new DelayedTask("t", "[\"a\",null]", Instant.EPOCH));
    }

    @Test
    void should_name_the_field_at_fault() {
        String due = "an ISO-8601 instant with offset (2026-03-21T10:00:00Z) or epoch milliseconds";
        refused("", "body", "empty; expected a task or an array of tasks");
        refused("{\"set\": ", "body", "not valid JSON at line 1, column 9: Unexpected end-of-input within/between Object entries");
        refused("[]", "body", "expected a task {\"set\", \"element\", \"due\"} or a non-empty array of them");
        refused("\"s\"", "body", "expected a task {\"set\", \"element\", \"due\"} or a non-empty array of them");
        refused("[{\"set\": \"s\", \"element\": \"e\", \"due\": 0}, 7]", "[1]", "not an object {\"set\", \"element\", \"due\"}");
        refused("{\"element\": \"e\", \"due\": 0}", "set", "required: the name of the Redis set, a non-empty string");
        refused("{\"set\": \" \", \"element\": \"e\", \"due\": 0}", "set", "required: the name of the Redis set, a non-empty string");
        refused("{\"set\": 5, \"element\": \"e\", \"due\": 0}", "set", "required: the name of the Redis set, a non-empty string");
        refused("{\"set\": \"" + "s".repeat(257) + "\", \"element\": \"e\", \"due\": 0}", "set", "257 characters; at most 256");
        refused("{\"set\": \"harvester:delayed:failed\", \"element\": \"e\", \"due\": 0}", "set",
                "'harvester:delayed:failed' is Harvester's own key (harvester:delayed…)");
        refused("{\"set\": \"s\", \"due\": 0}", "element", "required: a string or a JSON value");
        refused("{\"set\": \"s\", \"element\": null, \"due\": 0}", "element", "required: a string or a JSON value");
        refused("{\"set\": \"s\", \"element\": \"\", \"due\": 0}", "element", "empty");
        refused("{\"set\": \"s\", \"element\": \"" + "e".repeat(65_537) + "\", \"due\": 0}", "element", "65537 characters; at most 65536");
        refused("{\"set\": \"s\", \"element\": \"e\"}", "due", "required: " + due);
        refused("{\"set\": \"s\", \"element\": \"e\", \"due\": \"2030-01-01T10:00:00\"}", "due", "'2030-01-01T10:00:00' is not " + due);
        refused("{\"set\": \"s\", \"element\": \"e\", \"due\": 1.5}", "due", "1.5 is not " + due);
        refused("{\"set\": \"s\", \"element\": \"e\", \"due\": -1}", "due", "1969-12-31T23:59:59.999Z is outside 1970-01-01 to 9999-12-31");
        refused("{\"set\": \"s\", \"element\": \"e\", \"due\": \"+10000-01-01T00:00:00Z\"}", "due",
                "+10000-01-01T00:00:00Z is outside 1970-01-01 to 9999-12-31");
        refused("[{\"set\": \"s\", \"element\": \"e\", \"due\": 0}, {\"set\": \"s\", \"element\": \"e\", \"due\": 0, \"priority\": 1}]",
                "[1].priority", "unknown field (a task has set, element and due)");
        refused("[" + "{\"set\": \"s\", \"element\": \"e\", \"due\": 0},".repeat(10_000) + "{\"set\": \"s\", \"element\": \"e\", \"due\": 0}]",
                "body", "10001 tasks; at most 10000 per request");
    }
}
