package io.harvester.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.infra.InstanceId;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The runs a restarted instance abandons at start-up, before any route runs, are notified once it has started. */
@HarvesterDaemon
class NotifyRestartTest {

    static DaemonScope daemons;
    @AutoClose
    static FakeUpstream hook = FakeUpstream.start();
    @AutoClose
    static FakeUpstream upstream = FakeUpstream.start().total(50);

    @Test
    void should_notify_the_runs_a_previous_process_of_this_instance_left_live() throws Exception {
        String routes = ExportYaml.exports().export("orders", upstream.url("/orders"), Map.of("pageSize", "50")).yaml();
        Map<String, String> notify = Map.of("harvester.notify.url", hook.url("/hook"));
        HarvesterRuntime first = daemons.start(routes, notify);
        Object id = first.query("insert into runs (pipeline, status, trigger, owner, started_at) values ('export:orders',"
                + " 'running', 'schedule', '" + InstanceId.get() + "', now()) returning id").get(0).get("id");
        first.close();

        daemons.start(routes, notify);

        await().atMost(Duration.ofSeconds(20)).until(() -> hook.hookBodies().size() >= 1);
        assertThat(hook.hookBodies()).hasSize(1);
        Map<String, Object> message = new ObjectMapper().readValue(hook.hookBodies().get(0), new TypeReference<>() { });
        String error = "abandoned: the Harvester instance running it stopped before it finished";
        assertThat(message).containsEntry("event", "abandoned").containsEntry("pipeline", "export:orders")
                .containsEntry("run", ((Long) id).intValue()).containsEntry("status", "abandoned").containsEntry("error", error)
                .containsEntry("instance", InstanceId.get())
                .containsEntry("text", "Harvester: export:orders run " + id + " abandoned: the Harvester instance running it"
                        + " stopped before it finished");
    }
}
