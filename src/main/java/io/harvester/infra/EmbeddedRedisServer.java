package io.harvester.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The {@code dev} profile's Redis: a packaged redis-server on a free loopback port, nothing kept on disk.
 * Its pid is noted in a file so that a server orphaned by a killed Harvester is stopped at the next start.
 */
public final class EmbeddedRedisServer extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);

    private final Path pidFile;
    private RedisServer server;
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
        server = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        server.start();
        notePid();
        LOG.info("Embedded Redis listening on 127.0.0.1:{}", port);
    }

    @Override
    protected void doStop() throws Exception {
        if (server != null) {
            server.stop();
            if (pidFile != null) {
                Files.deleteIfExists(pidFile);
            }
            LOG.info("Embedded Redis stopped");
        }
    }

    private void notePid() throws IOException {
        if (pidFile == null) {
            return;
        }
        // redis rewrites its command line, so the newest redis-server child is ours
        Optional<ProcessHandle> ours = ProcessHandle.current().children().filter(EmbeddedRedisServer::isRedis)
                .max(java.util.Comparator.comparing(p -> p.info().startInstant().orElse(java.time.Instant.MIN)));
        if (ours.isPresent()) {
            Files.createDirectories(pidFile.getParent());
            Files.writeString(pidFile, String.valueOf(ours.get().pid()));
        }
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
