package io.harvester.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.harvester.infra.EmbeddedPostgresServer;
import io.harvester.infra.EmbeddedRedisServer;
import io.harvester.infra.SchemaMigration;
import org.postgresql.ds.PGSimpleDataSource;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * One PostgreSQL and one Redis for the whole test JVM: embedded by default, or the servers named by
 * {@code HARVESTER_TEST_DB_URL} (a JDBC URL to a database we may create databases from, e.g.
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}) and {@code HARVESTER_TEST_REDIS_URL}.
 * Every test class gets a database of its own, a copy of one that Harvester's schema migration made once per
 * JVM (copying is a fraction of migrating). The embedded servers keep their files under
 * {@code harvester.test.storage-dir} (default {@code target}), which the build gives each fork a folder of.
 */
public final class TestStorage {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Path STORAGE_DIR = Path.of(System.getProperty("harvester.test.storage-dir", "target"));
    private final java.util.List<String> created = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static TestStorage instance;

    private final String adminUrl;
    private final String user;
    private final String redisUrl;
    private String template;

    private TestStorage(String adminUrl, String user, String redisUrl) {
        this.adminUrl = adminUrl;
        this.user = user;
        this.redisUrl = redisUrl;
    }

    public static synchronized TestStorage get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static TestStorage start() {
        String externalDb = System.getenv("HARVESTER_TEST_DB_URL");
        String externalRedis = System.getenv("HARVESTER_TEST_REDIS_URL");
        String adminUrl;
        String user;
        boolean external = externalDb != null && !externalDb.isBlank();
        if (external) {
            adminUrl = externalDb;
            user = System.getenv().getOrDefault("HARVESTER_TEST_DB_USER", "postgres");
        } else {
            EmbeddedPostgresServer postgres = new EmbeddedPostgresServer(STORAGE_DIR.resolve("test-postgres"), "postgres");
            postgres.start();
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::stop));
            adminUrl = postgres.jdbcUrl();
            user = postgres.user();
        }
        String redisUrl;
        if (externalRedis != null && !externalRedis.isBlank()) {
            redisUrl = externalRedis;
        } else {
            EmbeddedRedisServer redis = new EmbeddedRedisServer(STORAGE_DIR.resolve("test-redis.pid"));
            redis.start();
            Runtime.getRuntime().addShutdownHook(new Thread(redis::stop));
            redisUrl = redis.uri();
        }
        TestStorage storage = new TestStorage(adminUrl, user, redisUrl);
        if (external) {
            // an external server outlives the tests: leave it as it was
            Runtime.getRuntime().addShutdownHook(new Thread(storage::dropCreated));
        }
        return storage;
    }

    private void dropCreated() {
        try (Connection c = DriverManager.getConnection(adminUrl, user, "");
             Statement s = c.createStatement()) {
            for (String name : created) {
                s.execute("drop database if exists " + name + " with (force)");
            }
        } catch (SQLException e) {
            System.err.println("could not drop test databases " + created + ": " + e.getMessage());
        }
    }

    /**
     * Creates a database with Harvester's schema (as its migration leaves a new one) and returns its JDBC URL.
     * One at a time: PostgreSQL copies a template only while no other session is connected to it.
     */
    public synchronized String newDatabase() {
        return create("harvester_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet(), migratedTemplate());
    }

    /** The database this JVM's test databases are copied from: migrated on first use. */
    private String migratedTemplate() {
        if (template == null) {
            String name = "harvester_template_" + ProcessHandle.current().pid();
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(create(name, "template1"));
            dataSource.setUser(user);
            SchemaMigration.migrate(dataSource, false);
            template = name;
        }
        return template;
    }

    private String create(String name, String from) {
        try (Connection c = DriverManager.getConnection(adminUrl, user, "");
             Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name);
            s.execute("create database " + name + " template " + from);
            created.add(name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return url(name);
    }

    private String url(String database) {
        int slash = adminUrl.lastIndexOf('/');
        int query = adminUrl.indexOf('?', slash);
        return adminUrl.substring(0, slash + 1) + database + (query < 0 ? "" : adminUrl.substring(query));
    }

    /** Runs a statement on the server as the administrator (outside any test database). */
    public void admin(String sql) {
        try (Connection c = DriverManager.getConnection(adminUrl, user, "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public String user() {
        return user;
    }

    public String redisUrl() {
        return redisUrl;
    }

    /** A Redis client of the test's own on the test Redis; the caller shuts it down. */
    public RedissonClient redisClient() {
        Config config = new Config();
        config.useSingleServer().setAddress(redisUrl);
        return Redisson.create(config);
    }
}
