package io.harvester.infra;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * The {@code dev} profile's Redis: a packaged redis-server on a free loopback port, nothing kept on disk.
 * Its pid is noted in a file so that a server orphaned by a killed Harvester is stopped at the next start.
 * <p>
 * We start the binary ourselves rather than through embedded-redis's {@code RedisServer}: that one adds a
 * JVM shutdown hook that stops the server the moment SIGTERM or SIGINT arrives, while Camel is still
 * draining routes that talk to Redis (the status intake's last poll failed with "Unable to write command
 * into connection" and held the stop for seconds). Camel stops this service after the routes, and only then.
 */
public final class EmbeddedRedisServer extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);
    private static final String READY = "Ready to accept connections";
    private static final long START_SECONDS = 30;
    private static final long STOP_SECONDS = 10;

    private final Path pidFile;
    private Process server;
    private int port;

    /** @param pidFile where the server's pid is noted; null to note nothing */
    public EmbeddedRedisServer(Path pidFile) {
        this.pidFile = pidFile;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    protected void doStart() throws Exception {
        stopOrphan();
        port = FreePort.find();
        File binary = ExecutableProvider.newJarResourceProvider().get();
        List<String> command = new ArrayList<>(List.of(binary.getAbsolutePath(), "--port", String.valueOf(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
        server = new ProcessBuilder(command).directory(binary.getParentFile()).redirectErrorStream(true).start();
        notePid();
        awaitReady();
        LOG.info("Embedded Redis listening on 127.0.0.1:{}", port);
    }

    @Override
    protected void doStop() throws Exception {
        if (server == null) {
            return;
        }
        server.destroy();
        if (!server.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
        }
        server = null;
        if (pidFile != null) {
            Files.deleteIfExists(pidFile);
        }
        LOG.info("Embedded Redis stopped");
    }

    /** Reads the server's output until it is ready, then drains the rest on a daemon thread (a full pipe would block it). */
    private void awaitReady() throws IOException, InterruptedException {
        BufferedReader output = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                    if (!ready.isDone()) {
                        synchronized (seen) {
                            seen.add(line);
                        }
                        if (line.contains(READY)) {
                            ready.complete(true);
                        }
                    } else {
                        LOG.debug("redis-server: {}", line);
                    }
                }
            } catch (IOException closed) {
                LOG.debug("redis-server output closed: {}", closed.getMessage());
            }
            ready.complete(false);
        }, "embedded-redis-output");
        reader.setDaemon(true);
        reader.start();
        boolean started;
        try {
            started = ready.get(START_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            started = false;
        }
        if (!started) {
            server.destroyForcibly();
            String said;
            synchronized (seen) {
                said = String.join("\n", seen);
            }
            throw new IOException("embedded Redis did not start on 127.0.0.1:" + port + " within " + START_SECONDS
                    + " s; it said:\n" + said);
        }
    }

    private void notePid() throws IOException {
        if (pidFile == null) {
            return;
        }
        Files.createDirectories(pidFile.getParent());
        Files.writeString(pidFile, String.valueOf(server.pid()));
    }

    private void stopOrphan() throws IOException {
        if (pidFile == null || !Files.exists(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).filter(EmbeddedRedisServer::isRedis).ifPresent(orphan -> {
            LOG.warn("Stopping embedded Redis (pid {}) left behind by a Harvester that was killed", pid);
            orphan.destroy();
        });
        Files.deleteIfExists(pidFile);
    }

    private static boolean isRedis(ProcessHandle process) {
        return process.info().command().map(c -> c.contains("redis-server")).orElse(false);
    }
}
