package io.harvester.runs.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.infra.InstanceId;
import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.RunsApiClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /api/instances and harvester_instances_alive: every instance on the database with its lease judged by
 * harvester.cluster.lease, the live runs it owns, and this instance beating on harvester.cluster.heartbeat.
 * The other instances are rows with fixed beats: one long dead, one whose beat is in the future (alive
 * whatever the test's pace).
 */
@HarvesterDaemon
class InstancesApiTest {

    static DaemonScope daemons;
    private static HarvesterRuntime harvester;
    private static RunsApiClient api;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        harvester = daemons.start("[]\n", Map.of("harvester.cluster.heartbeat", "200ms", "harvester.cluster.lease", "60s"));
        harvester.execute("""
                insert into instances (id, host, started_at, heartbeat_at) values
                ('node-dead', 'old-host', '2020-01-01T00:00:00Z', '2020-01-01T00:05:00Z'),
                ('node-b', 'host-b', '2020-01-02T00:00:00Z', '2999-01-01T00:00:00Z');
                insert into runs (id, pipeline, status, trigger, params, owner, created_at, started_at, finished_at) values
                (2001, 'export:a', 'running', 'api', '{}', 'node-b', now(), now(), null),
                (2002, 'export:a', 'completed', 'api', '{}', 'node-b', now(), now(), now()),
                (2003, 'export:b', 'completed', 'api', '{}', 'node-dead', now(), now(), now())""");
        api = new RunsApiClient(harvester);
    }

    @Test
    void should_list_every_instance_with_its_lease_and_live_runs() throws Exception {
        Map<String, JsonNode> instances = instances();

        assertThat(instances.keySet()).containsExactlyInAnyOrder("node-dead", "node-b", InstanceId.get());
        assertThat(instances.get("node-dead").toString()).isEqualTo("{\"id\":\"node-dead\",\"host\":\"old-host\","
                + "\"startedAt\":\"2020-01-01T00:00:00Z\",\"lastBeat\":\"2020-01-01T00:05:00Z\",\"alive\":false,\"liveRuns\":0,"
                + "\"self\":false}");
        assertThat(instances.get("node-b").toString()).isEqualTo("{\"id\":\"node-b\",\"host\":\"host-b\","
                + "\"startedAt\":\"2020-01-02T00:00:00Z\",\"lastBeat\":\"2999-01-01T00:00:00Z\",\"alive\":true,\"liveRuns\":1,"
                + "\"self\":false}");
        JsonNode self = instances.get(InstanceId.get());
        assertThat(self.get("host").asText()).isEqualTo(InstanceId.host());
        assertThat(self.get("alive").asBoolean()).isTrue();
        assertThat(self.get("self").asBoolean()).isTrue();
        assertThat(self.get("liveRuns").asLong()).isZero();
    }

    @Test
    void should_beat_on_the_cluster_heartbeat() throws Exception {
        String before = instances().get(InstanceId.get()).get("lastBeat").asText();

        // 200 ms beats: a later beat within a few of them
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> !instances().get(InstanceId.get()).get("lastBeat").asText().equals(before));
    }

    @Test
    void should_count_the_instances_alive_in_the_metrics() throws Exception {
        String scrape = metrics();

        assertThat(scrape).containsPattern("(?m)^harvester_instances_alive 2\\.0$");
    }

    private static Map<String, JsonNode> instances() throws Exception {
        String answer = api.get("/api/instances");
        assertThat(answer).startsWith("200 ");
        JsonNode body = JSON.readTree(answer.substring(4));
        assertThat(body.get("leaseMs").asLong()).isEqualTo(60_000);
        Map<String, JsonNode> byId = new HashMap<>();
        body.get("instances").forEach(i -> byId.put(i.get("id").asText(), i));
        return byId;
    }

    private static String metrics() throws Exception {
        String answer = api.get("/observe/metrics");
        assertThat(answer).startsWith("200 ");
        return answer.substring(4);
    }
}
