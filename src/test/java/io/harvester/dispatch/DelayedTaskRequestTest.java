package io.harvester.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import io.harvester.api.ApiError;
import org.junit.jupiter.api.Test;

/** A delayed-task request's body: what it may say, and the field named for each thing it may not. */
class DelayedTaskRequestTest {

    private static final OwnKeys OWN_KEYS = new OwnKeys().prefix("harvester.status.key-prefix", "harvester:status:")
            .prefix("harvester.status.queue", "workers:status").prefix("harvester.status.record-prefix", "task:")
            .prefix("harvester.dispatch.delay-key", "harvester:delayed");

    private static List<DelayedTask> parse(String body) {
        return DelayedTaskRequest.parse(body, OWN_KEYS);
    }

    private static void refused(String body, String field, String error) {
        assertThatThrownBy(() -> parse(body)).as(body).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).isEqualTo(error);
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
    void should_take_sets_that_only_look_like_harvester_keys() {
        assertThat(parse("[{\"set\": \"harvester:statu\", \"element\": \"e\", \"due\": 0},"
                + " {\"set\": \"tasks:1\", \"element\": \"e\", \"due\": 0}, {\"set\": \"harvester\", \"element\": \"e\", \"due\": 0}]"))
                .extracting(DelayedTask::set).containsExactly("harvester:statu", "tasks:1", "harvester");
        // a prefix set empty (no task records in Redis) reserves nothing
        assertThat(DelayedTaskRequest.parse("{\"set\": \"s\", \"element\": \"e\", \"due\": 0}",
                new OwnKeys().prefix("harvester.status.record-prefix", ""))).extracting(DelayedTask::set).containsExactly("s");
    }

    @Test
    void should_name_the_field_at_fault() {
        String due = "an ISO-8601 instant with offset (2026-03-21T10:00:00Z) or epoch milliseconds";
        String task = "expected a delayed task {\"set\", \"element\", \"due\"}";
        refused("", "body", "empty body: expected a delayed task or an array of them");
        refused("{\"set\": ", "body", "not JSON at line 1, column 9: Unexpected end-of-input within/between Object entries");
        refused("[]", "body", task + " or a non-empty array of them");
        refused("\"s\"", "body", task + " or a non-empty array of them");
        refused("[{\"set\": \"s\", \"element\": \"e\", \"due\": 0}, 7]", "[1]", task);
        refused("{\"element\": \"e\", \"due\": 0}", "set", "set is required: the name of a Redis set, a non-empty string");
        refused("{\"set\": \" \", \"element\": \"e\", \"due\": 0}", "set", "set is required: the name of a Redis set, a non-empty string");
        refused("{\"set\": 5, \"element\": \"e\", \"due\": 0}", "set", "set is required: the name of a Redis set, a non-empty string");
        refused("{\"set\": \"" + "s".repeat(257) + "\", \"element\": \"e\", \"due\": 0}", "set", "set is longer than 256 characters");
        refused("{\"set\": \"harvester:delayed:failed\", \"element\": \"e\", \"due\": 0}", "set",
                "set 'harvester:delayed:failed' is one of Harvester's own keys: harvester:delayed… (harvester.dispatch.delay-key)");
        refused("[{\"set\": \"s\", \"element\": \"e\", \"due\": 0}, {\"set\": \"harvester:status:states\", \"element\": \"e\", \"due\": 0}]",
                "[1].set", "set 'harvester:status:states' is one of Harvester's own keys: harvester:status:… (harvester.status.key-prefix)");
        refused("{\"set\": \"workers:status\", \"element\": \"e\", \"due\": 0}", "set",
                "set 'workers:status' is one of Harvester's own keys: workers:status… (harvester.status.queue)");
        refused("{\"set\": \"task:poison\", \"element\": \"e\", \"due\": 0}", "set",
                "set 'task:poison' is one of Harvester's own keys: task:… (harvester.status.record-prefix)");
        refused("{\"set\": \"s\", \"due\": 0}", "element", "element is required: a string or any other JSON value");
        refused("{\"set\": \"s\", \"element\": null, \"due\": 0}", "element", "element is required: a string or any other JSON value");
        refused("{\"set\": \"s\", \"element\": \"\", \"due\": 0}", "element", "element is empty");
        refused("{\"set\": \"s\", \"element\": \"" + "e".repeat(65_537) + "\", \"due\": 0}", "element",
                "element is longer than 65536 characters");
        refused("{\"set\": \"s\", \"element\": \"e\"}", "due", "due is required: " + due);
        refused("{\"set\": \"s\", \"element\": \"e\", \"due\": \"2030-01-01T10:00:00\"}", "due",
                "due '2030-01-01T10:00:00' is not " + due);
        refused("{\"set\": \"s\", \"element\": \"e\", \"due\": 1.5}", "due", "due 1.5 is not " + due);
        refused("{\"set\": \"s\", \"element\": \"e\", \"due\": -1}", "due",
                "due 1969-12-31T23:59:59.999Z is outside 1970-01-01 to 9999-12-31");
        refused("{\"set\": \"s\", \"element\": \"e\", \"due\": \"+10000-01-01T00:00:00Z\"}", "due",
                "due +10000-01-01T00:00:00Z is outside 1970-01-01 to 9999-12-31");
        refused("[{\"set\": \"s\", \"element\": \"e\", \"due\": 0}, {\"set\": \"s\", \"element\": \"e\", \"due\": 0, \"priority\": 1}]",
                "[1].priority", "unknown field priority: a delayed task has set, element and due");
        refused("[" + "{\"set\": \"s\", \"element\": \"e\", \"due\": 0},".repeat(10_000) + "{\"set\": \"s\", \"element\": \"e\", \"due\": 0}]",
                "body", "10001 tasks in one request; at most 10000");
    }
}
