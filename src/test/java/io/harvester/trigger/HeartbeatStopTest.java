package io.harvester.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;

import io.harvester.infra.InstanceId;
import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.JobYaml;
import io.harvester.support.LogLines;
import io.harvester.support.TestStorage;
import org.apache.camel.Route;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat route is deferred at a stop (it beats while the runs drain), so Camel stops its consumer
 * without waiting for a tick in flight and then stops the route's processors. A tick that ends after that
 * must end quietly: once, Camel's error handler, stopped by then, rejected such a tick and the stop logged
 * a RejectedExecutionException WARN (ShutdownIT caught it in one stop of ten). Here the tick is held inside
 * its heartbeat statement by a row lock while the same two stops are made, then let go.
 */
@HarvesterDaemon
class HeartbeatStopTest {

    static DaemonScope daemons;

    @Test
    void a_heartbeat_tick_that_ends_after_its_route_stopped_logs_no_warning() throws Exception {
        HarvesterRuntime harvester = daemons.start(JobYaml.job("idle", "s1", "select 1"),
                Map.of("harvester.cluster.heartbeat", "100ms", "harvester.jobs.idle.cron", ""));
        Route heartbeat = harvester.context().getRoute("instance-heartbeat");
        try (LogLines log = LogLines.capture(); Connection lock = DriverManager.getConnection(daemons.database(), TestStorage.get().user(), "")) {
            // the runs' heartbeat beats the same row: only the tick may be the statement found waiting
            harvester.context().getRouteController().stopRoute("run-heartbeat");
            lock.setAutoCommit(false);
            lock.createStatement().execute("select 1 from instances where id = '" + InstanceId.get() + "' for update");
            await().atMost(Duration.ofSeconds(10)).until(() -> harvester.context().getInflightRepository().size("instance-heartbeat") == 1
                    && harvester.waitsOnLock("insert into instances"));

            ServiceHelper.stopService(heartbeat.getConsumer());
            ServiceHelper.stopService(heartbeat.getProcessor());
            lock.rollback();

            await().atMost(Duration.ofSeconds(10)).until(() -> harvester.context().getInflightRepository().size("instance-heartbeat") == 0);
            assertThat(log.lines()).as("what the tick's end logged").filteredOn(line -> !line.startsWith("INFO")).isEmpty();
        }
    }
}
