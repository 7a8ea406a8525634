package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import io.harvester.support.DaemonProcess;
import io.harvester.support.ExportYaml;
import io.harvester.support.JobYaml;
import io.harvester.support.TestPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Bad configuration stops the real jar within seconds, exit code 1, with one ERROR line in
 * logs/harvester.log naming the file, the pipeline and the value. Each test has a process and a folder of its
 * own: they run side by side.
 */
@Execution(ExecutionMode.CONCURRENT)
class StartupFailureIT {

    private static final String URL = "http://127.0.0.1:9/orders";

    private static String export(Map<String, String> parameters) {
        return ExportYaml.exports().export("orders", URL, parameters).yaml();
    }

    /** Starts the daemon (prod profile on the test storage) and returns its one ERROR line. */
    private static String refusal(DaemonProcess daemon, String... jvmOptions) throws Exception {
        daemon.start(jvmOptions);
        Integer exit = daemon.exitCodeWithin(60);
        assertThat(exit).as("exited within 60 s (a start-up on a loaded 2-core machine takes up to 20 s before it reaches the refusal); console:%n%s", daemon.console()).isEqualTo(1);
        List<String> errors = daemon.errorLines();
        assertThat(errors).as("ERROR lines of%n%s", daemon.log()).hasSize(1);
        assertThat(daemon.console()).contains(errors.get(0));
        return errors.get(0);
    }

    @Test
    void should_name_a_missing_required_parameter() throws Exception {
        String yaml = "- templatedRoute:\n    routeTemplateRef: paged-export\n    routeId: export-orders\n"
                + "    parameters:\n      - name: name\n        value: orders\n";
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("exports.camel.yaml", yaml)) {
            assertThat(refusal(daemon)).endsWith("Harvester did not start: routes/exports.camel.yaml: route export-orders:"
                    + " template paged-export needs parameter 'url'");
        }
    }

    @Test
    void should_name_a_misspelt_template_with_the_closest_one() throws Exception {
        String yaml = ExportYaml.exports().route("paged-exprot", "export-orders", "orders", URL, Map.of()).yaml();
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("exports.camel.yaml", yaml)) {
            assertThat(refusal(daemon)).contains("routes/exports.camel.yaml: route export-orders: routeTemplateRef"
                    + " 'paged-exprot' names no template (did you mean 'paged-export'?)");
        }
    }

    @Test
    void should_name_an_unknown_parameter_with_the_closest_one() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("exports.camel.yaml",
                export(Map.of("pageSise", "50")))) {
            assertThat(refusal(daemon)).contains("routes/exports.camel.yaml: route export-orders: parameter 'pageSise'"
                    + " is not a parameter of template paged-export (did you mean 'pageSize'?)");
        }
    }

    @Test
    void should_name_a_malformed_value() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("exports.camel.yaml",
                export(Map.of("concurrency", "abc")))) {
            assertThat(refusal(daemon)).contains("routes/exports.camel.yaml: route export-orders: parameter concurrency = 'abc'");
        }
    }

    @Test
    void should_name_a_bad_cron_and_stop_the_embedded_servers() throws Exception {
        // dev profile: the embedded PostgreSQL and Redis were started and must not outlive the process
        try (DaemonProcess daemon = DaemonProcess.prepare().routes("exports.camel.yaml",
                export(Map.of("cron", "every minute")))) {
            assertThat(refusal(daemon)).contains("pipeline export:orders: bad cron 'every minute'");
            assertThat(daemon.console()).contains("Embedded PostgreSQL stopped").contains("Embedded Redis stopped");
        }
    }

    @Test
    void should_name_a_pipeline_declared_twice() throws Exception {
        String yaml = export(Map.of()) + ExportYaml.exports().route("paged-export", "export-orders-again", "orders", URL,
                Map.of()).yaml();
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("exports.camel.yaml", yaml)) {
            assertThat(refusal(daemon)).contains("routes/exports.camel.yaml: route export-orders-again: a pipeline named"
                    + " 'orders' of template paged-export is declared twice (also in routes/exports.camel.yaml)");
        }
    }

    @Test
    void should_name_an_output_folder_that_cannot_be_written() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod()) {
            // a folder under a regular file cannot be created, whoever we are (root included)
            Files.writeString(daemon.folder().resolve("blocker"), "a file, not a folder");
            daemon.routes("exports.camel.yaml", export(Map.of("outputDir", "blocker/out")));
            assertThat(refusal(daemon)).contains("export:orders: output folder ").contains("blocker/out/orders is not writable");
        }
    }

    @Test
    void should_refuse_a_pipeline_route_that_names_other_error_handling_than_the_shared_one() throws Exception {
        // a route naming no configuration gets the shared one (TestKindTest); one naming only others is refused
        String yaml = "- route:\n    id: rogue\n    routeConfigurationId: harvester-api\n    from:\n      uri: \"trigger:export:rogue\"\n"
                + "      steps:\n        - log: \"running without harvester-pipeline\"\n";
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("rogue.camel.yaml", yaml)) {
            assertThat(refusal(daemon)).contains("routes/rogue.camel.yaml: route rogue: pipeline export:rogue (route rogue)"
                    + " lacks routeConfigurationId: harvester-pipeline");
        }
    }

    @Test
    void should_give_up_on_an_unreachable_database_after_the_startup_wait() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod()
                .env("HARVESTER_DB_URL", "jdbc:postgresql://127.0.0.1:" + TestPorts.next() + "/harvester")) {
            assertThat(refusal(daemon, "-Dharvester.storage.startup-wait=3s")).contains("PostgreSQL at jdbc:postgresql://127.0.0.1:")
                    .contains("is unreachable after 3 s (harvester.storage.startup-wait)");
            assertThat(daemon.log()).contains("Waiting for PostgreSQL at");
        }
    }

    @Test
    void should_refuse_a_port_already_in_use() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod();
             ServerSocket taken = new ServerSocket(daemon.port(), 50, InetAddress.getByName("0.0.0.0"))) {
            assertThat(refusal(daemon)).contains("port " + daemon.port());
        }
    }

    @Test
    void should_refuse_a_delayed_task_scan_not_shorter_than_the_threshold() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod()) {
            assertThat(refusal(daemon, "-Dharvester.dispatch.delay-scan-interval=1h")).endsWith("Harvester did not start:"
                    + " harvester.dispatch.delay-scan-interval = 1h must be shorter than harvester.dispatch.delay-threshold = 1h:"
                    + " a task stored for later must meet a scan within the threshold before its time");
        }
    }

    @Test
    void should_name_a_schedule_property_for_a_pipeline_that_does_not_exist() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("exports.camel.yaml", export(Map.of()))) {
            assertThat(refusal(daemon, "-Dharvester.schedule.export.ordres.cron=0 0 1 * * ?")).contains("Harvester did not"
                    + " start: property harvester.schedule.export.ordres.cron names pipeline 'export:ordres', which this"
                    + " daemon does not have (did you mean 'export:orders'?) (pipelines: [");
        }
    }

    @Test
    void should_take_a_schedule_from_the_environment_before_a_system_property() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("exports.camel.yaml", export(Map.of()))
                .env("HARVESTER_SCHEDULE_EXPORT_ORDERS_CRON", "every night")) {
            assertThat(refusal(daemon, "-Dharvester.schedule.export.orders.cron=every day")).contains(
                    "pipeline export:orders: bad cron 'every night' in harvester.schedule.export.orders.cron (Quartz syntax");
        }
    }

    @Test
    void should_name_a_schedule_variable_for_a_pipeline_that_does_not_exist() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("exports.camel.yaml", export(Map.of()))
                .env("HARVESTER_SCHEDULE_EXPORT_ORDRES_CRON", "0 0 1 * * ?")) {
            assertThat(refusal(daemon)).contains("environment variable HARVESTER_SCHEDULE_EXPORT_ORDRES_CRON sets no"
                    + " schedule setting of this daemon").endsWith("(did you mean 'HARVESTER_SCHEDULE_EXPORT_ORDERS_CRON'?)");
        }
    }

    private static final String JOB = JobYaml.job("nightly-sync", "copy", "select 1", "purge", "select 2");

    @Test
    void should_name_a_job_property_for_a_job_that_does_not_exist() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("jobs.camel.yaml", JOB)) {
            assertThat(refusal(daemon, "-Dharvester.jobs.nightly-synk.cron=0 0 1 * * ?")).endsWith("Harvester did not start:"
                    + " property harvester.jobs.nightly-synk.cron names job 'nightly-synk', which does not exist"
                    + " (did you mean 'nightly-sync'?) (jobs: [nightly-sync])");
        }
    }

    @Test
    void should_name_a_job_with_a_bad_cron_or_setting() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("jobs.camel.yaml", JOB)) {
            assertThat(refusal(daemon, "-Dharvester.jobs.nightly-sync.cron=every night")).contains(
                    "pipeline job:nightly-sync: bad cron 'every night' in harvester.jobs.nightly-sync.cron (Quartz syntax");
        }
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("jobs.camel.yaml", JOB)) {
            assertThat(refusal(daemon, "-Dharvester.jobs.nightly-sync.stuck-after=soon")).contains(
                    "job nightly-sync: harvester.jobs.nightly-sync.stuck-after = 'soon' is not a positive duration");
        }
    }

    @Test
    void should_name_a_job_with_two_steps_of_one_id() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("jobs.camel.yaml",
                JOB.replace("id: purge", "id: copy"))) {
            assertThat(refusal(daemon)).endsWith("Harvester did not start: routes/jobs.camel.yaml: route job-nightly-sync:"
                    + " FailedToStartRouteException: Failed to start route: job-nightly-sync because: Duplicate id detected:"
                    + " copy. Please correct ids to be unique among all your routes.");
        }
    }

    @Test
    void should_name_a_job_step_endpoint_camel_does_not_know() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().routes("jobs.camel.yaml", JOB.replace("sql:select 2", "sqll:select 2"))) {
            assertThat(refusal(daemon)).endsWith("Harvester did not start: routes/jobs.camel.yaml: route job-nightly-sync:"
                    + " NoSuchEndpointException: No endpoint could be found for: sqll://select%202, please check your"
                    + " classpath contains the needed Camel component jar.");
        }
    }
}
