package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * docker-compose.yml as `docker compose config` would read it (no Docker engine here): the harvester service
 * takes its token from .env, is health-checked on /observe/health, restarts unless stopped, runs as a user
 * other than root (the image's own), sees only routes/ and the configuration, and writes to named volumes.
 */
class DockerComposeTest {

    private static Map<String, Object> compose;
    private static Map<String, Object> harvester;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        compose = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(Path.of("docker-compose.yml")));
        harvester = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("harvester");
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_take_the_api_token_from_an_env_file_that_is_documented_and_never_committed() throws IOException {
        assertThat(harvester.get("env_file")).isEqualTo(".env");
        assertThat(((Map<String, Object>) harvester.get("environment")).keySet()).doesNotContain("HARVESTER_API_TOKEN", "HARVESTER_DB_PASSWORD");
        assertThat(Files.readAllLines(Path.of(".env.example"))).contains("HARVESTER_API_TOKEN=", "HARVESTER_DB_PASSWORD=");
        assertThat(Files.readAllLines(Path.of(".gitignore"))).contains("/.env");
        assertThat(Files.readString(Path.of("docs/operations.md"))).contains("cp .env.example .env");
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_check_health_on_observe_health_and_restart_unless_stopped() {
        Map<String, Object> healthcheck = (Map<String, Object>) harvester.get("healthcheck");
        assertThat((List<String>) healthcheck.get("test")).containsExactly("CMD", "curl", "-fsS", "-o", "/dev/null",
                "http://127.0.0.1:8080/observe/health");
        assertThat(healthcheck).containsKeys("interval", "timeout", "retries", "start_period");
        assertThat(harvester.get("restart")).isEqualTo("unless-stopped");
        assertThat((List<String>) harvester.get("ports")).containsExactly("8080:8080");
    }

    @Test
    void should_run_as_the_unprivileged_user_of_its_image() throws IOException {
        String user = (String) harvester.get("user");
        assertThat(user).matches("[1-9][0-9]*:[1-9][0-9]*");
        assertThat(harvester.get("build")).isEqualTo(".");
        List<String> dockerfile = Files.readAllLines(Path.of("Dockerfile"));
        assertThat(dockerfile).contains("USER " + user, "COPY target/harvester.jar /app/harvester.jar");
        assertThat(dockerfile).anyMatch(line -> line.contains("useradd") && line.contains("--uid " + user.split(":")[0]));
        // the build context holds the jar only, not the repository with its dev data/
        assertThat(Files.readAllLines(Path.of(".dockerignore"))).contains("*", "!target/harvester.jar");
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_mount_only_routes_and_the_configuration_and_write_to_named_volumes() {
        List<String> volumes = (List<String>) harvester.get("volumes");
        assertThat(volumes).containsExactly(
                "./routes:/app/routes:ro",
                "./application.properties:/app/application.properties:ro",
                "./application-prod.properties:/app/application-prod.properties:ro",
                "harvester-output:/app/output",
                "harvester-logs:/app/logs");
        assertThat((Map<String, Object>) compose.get("volumes")).containsKeys("harvester-output", "harvester-logs");
    }
}
