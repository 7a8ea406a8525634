package io.harvester.infra;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server of our own, started from zonky's packaged binaries on a free loopback port with
 * its data kept in a directory across restarts (the {@code dev} profile's database).
 * <p>
 * We drive initdb and pg_ctl ourselves rather than zonky's {@code EmbeddedPostgres} because the
 * latter cannot run as root, which is how CI and containers often run.
 */
public final class EmbeddedPostgresServer extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String SUPERUSER = "postgres";

    private final Path requestedDataDir;
    private final String database;
    private FileChannel lockChannel;
    private FileLock lock;
    private Path binaries;
    private Path dataDir;
    private int port;

    public EmbeddedPostgresServer(Path dataDir, String database) {
        this.requestedDataDir = dataDir.toAbsolutePath().normalize();
        this.database = database;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return SUPERUSER;
    }

    public int port() {
        return port;
    }

    @Override
    protected void doStart() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "harvester-" + System.getProperty("user.name"));
        Files.createDirectories(tmp);
        binaries = PostgresBinaries.unpack(tmp);
        claimDataDir();
        dataDir = reachableDataDir(tmp);
        stopLeftoverServer();
        if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
            InitdbTemplate template = new InitdbTemplate(binaries);
            if (!template.copyInto(dataDir, ProcessRunner.isRoot() ? nobody(dataDir) : null)) {
                initdb();
                template.keep(dataDir);
            }
        }
        port = FreePort.find();
        ProcessRunner.run(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-w", "-t", "60",
                "-l", dataDir.resolve("postgres.log").toString(),
                "-o", "-p " + port + " -F -c listen_addresses=127.0.0.1 -c unix_socket_directories=''",
                "start"), 90);
        createDatabaseIfAbsent();
        LOG.info("Embedded PostgreSQL listening on 127.0.0.1:{}, data in {}", port, dataDir);
    }

    @Override
    protected void doStop() throws Exception {
        if (dataDir != null && Files.exists(dataDir.resolve("postmaster.pid"))) {
            ProcessRunner.run(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"), 90);
            LOG.info("Embedded PostgreSQL stopped");
        }
        if (lock != null) {
            lock.release();
            lockChannel.close();
        }
    }

    /**
     * One JVM per data directory (claimed before anything else of this start touches the folder, the embedded
     * Redis included). The lock dies with its process, so a server found running without
     * it was left behind by a killed Harvester and may be stopped; one found with it belongs to a live
     * Harvester and must not be touched.
     */
    public synchronized void claimDataDir() throws IOException {
        if (lock != null) {
            return;
        }
        Files.createDirectories(requestedDataDir);
        Path lockFile = requestedDataDir.resolveSibling(requestedDataDir.getFileName() + ".lock");
        lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new IllegalStateException("embedded PostgreSQL data directory " + requestedDataDir
                    + " is in use by another running Harvester (" + lockFile + " is locked); "
                    + "stop it or set harvester.embedded.data-dir to another folder");
        }
    }

    private void initdb() throws IOException {
        LOG.info("Initialising embedded PostgreSQL data directory {}", dataDir);
        ProcessRunner.run(List.of(bin("initdb"), "-A", "trust", "-U", SUPERUSER, "-D", dataDir.toString(),
                "-E", "UTF-8", "--locale=C"), 120);
    }

    /** A server left running by a process that was killed (kill -9 skips our shutdown) holds the data dir. */
    private void stopLeftoverServer() {
        if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
            return;
        }
        try {
            ProcessRunner.run(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "status"), 30);
            LOG.warn("A PostgreSQL server left behind on {} is still running; stopping it", dataDir);
            ProcessRunner.run(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop"), 60);
        } catch (IOException notRunning) {
            LOG.debug("No server running on {}: {}", dataDir, notRunning.getMessage());
        }
    }

    private void createDatabaseIfAbsent() throws SQLException {
        String adminUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(adminUrl, SUPERUSER, "");
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + database + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("create database \"" + database + "\"");
        }
    }

    /**
     * As root the server runs as nobody, which must own the data directory and reach it. When the
     * requested directory sits below a folder nobody cannot enter (a root home, a 0700 temp dir) the
     * data goes to a stable folder under the system temp directory instead.
     */
    private Path reachableDataDir(Path tmp) throws IOException {
        Files.createDirectories(requestedDataDir);
        if (!ProcessRunner.isRoot()) {
            Files.setPosixFilePermissions(requestedDataDir, PostgresBinaries.permissions(0700));
            return requestedDataDir;
        }
        Path dir = requestedDataDir;
        if (!enterableByOthers(requestedDataDir.getParent())) {
            dir = tmp.resolve("pgdata-" + Integer.toHexString(requestedDataDir.toString().hashCode()));
            Files.setPosixFilePermissions(tmp, PostgresBinaries.permissions(0755));
            Files.createDirectories(dir);
            LOG.warn("Running as root: PostgreSQL runs as nobody, who cannot reach {}; its data is kept in {}",
                    requestedDataDir, dir);
        }
        UserPrincipal nobody = nobody(dir);
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setOwner(p, nobody);
            }
        }
        Files.setPosixFilePermissions(dir, PostgresBinaries.permissions(0700));
        return dir;
    }

    /** Who the server runs as when Harvester runs as root. */
    private static UserPrincipal nobody(Path dir) throws IOException {
        return dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    }

    private static boolean enterableByOthers(Path dir) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }

    private String bin(String name) {
        return binaries.resolve("bin").resolve(name).toString();
    }
}
