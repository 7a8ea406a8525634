package io.harvester.infra;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.harvester.secrets.Secrets;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.sql.SqlComponent;
import org.apache.camel.Service;
import org.apache.camel.util.TimeUtils;
import org.apache.commons.dbcp2.BasicDataSource;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.EqualJitterDelay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the {@code dataSource} and {@code redisson} beans, and both as {@link Storage}. With {@code harvester.embedded=true} (the dev
 * profile) it first starts an embedded PostgreSQL and Redis and points the same pool and client at
 * them, so dev and prod share one code path: a JDBC URL and a Redis URI.
 */
public class StorageConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(StorageConfiguration.class);

    @PropertyInject("harvester.embedded")
    private boolean embedded;
    @PropertyInject("harvester.embedded.data-dir")
    private String embeddedDataDir;
    @PropertyInject("harvester.db.url")
    private String dbUrl;
    @PropertyInject("harvester.db.user")
    private String dbUser;
    @PropertyInject("harvester.db.password")
    private String dbPassword;
    @PropertyInject("harvester.db.pool-size")
    private int poolSize;
    @PropertyInject("harvester.db.step-pool-size")
    private int stepPoolSize;
    @PropertyInject("harvester.redis.url")
    private String redisUrl;
    @PropertyInject("harvester.storage.startup-wait")
    private String startupWait;
    @PropertyInject("harvester.demo.schema")
    private boolean demoSchema;

    /** Embedded servers this process started: stopped by {@link #stopEmbedded()} when start-up fails. */
    private static final List<Service> EMBEDDED = new CopyOnWriteArrayList<>();

    @Override
    public void configure(CamelContext context) throws Exception {
        // Redis and its client start on a thread of their own while PostgreSQL starts and its schema is checked:
        // a restart waits for the slower of the two, not for both (issue 19's start-up)
        Executor starter = task -> {
            Thread thread = new Thread(task, "harvester-storage-start");
            thread.setDaemon(true);
            thread.start();
        };
        EmbeddedRedisServer redis = null;
        EmbeddedPostgresServer postgres = null;
        if (embedded) {
            postgres = new EmbeddedPostgresServer(Path.of(embeddedDataDir, "postgres"), "harvester");
            // the data folder is this process's before its Redis is touched: a second Harvester on the same folder
            // stops here, before it could take the running one's redis.pid for a leftover and stop that Redis
            EMBEDDED.add(postgres);
            postgres.claimDataDir();
            redis = new EmbeddedRedisServer(Path.of(embeddedDataDir, "redis.pid"));
            EMBEDDED.add(redis);
        } else {
            require("harvester.db.url (HARVESTER_DB_URL)", dbUrl);
            require("harvester.redis.url (HARVESTER_REDIS_URL)", redisUrl);
        }
        EmbeddedRedisServer embeddedRedis = redis;
        Duration wait = TimeUtils.toDuration(startupWait);
        CompletableFuture<RedissonClient> redissonStarted = CompletableFuture.supplyAsync(() -> {
            String uri = embeddedRedis == null ? redisUrl : startEmbedded(embeddedRedis);
            return connectRedis(uri, wait);
        }, starter);
        RedissonClient redisson;
        BasicDataSource dataSource;
        try {
            dataSource = startPostgres(context, postgres, wait);
            redisson = joinStart(redissonStarted);
        } catch (RuntimeException | Error e) {
            // the client may connect meanwhile (its threads would keep a failed start-up's JVM alive), and the
            // embedded Redis must have started before stopEmbedded can stop it: give that side a moment to finish
            try {
                redissonStarted.get(5, TimeUnit.SECONDS).shutdown();
            } catch (Exception ignored) {
                // it failed as well, or it is still waiting for Redis: the process is on its way out
            }
            throw e;
        }
        if (embeddedRedis != null) {
            context.addService(embeddedRedis, true, false);
            redisUrl = embeddedRedis.uri();
        }
        context.getRegistry().bind("dataSource", DataSource.class, dataSource);
        context.addService(new Closer("dataSource", dataSource::close), true, true);
        // sql: endpoints (job steps) get a pool of their own on the same database: a step's statement may run
        // for hours (its run's max-duration and cancel bound it, not a socket timeout), and it is watched so
        // that cancelling the run cancels the statement
        BasicDataSource steps = pool(stepPoolSize, 0);
        context.getComponent("sql", SqlComponent.class).setDataSource(new WatchedDataSource(steps));
        context.addService(new Closer("sqlStepDataSource", steps::close), true, true);
        context.getRegistry().bind("redisson", RedissonClient.class, redisson);
        context.addService(new Closer("redisson", redisson::shutdown), true, true);
        context.getRegistry().bind("storage", Storage.class, new Storage(dataSource, redisson));
        LOG.info("Storage ready: {} and Redis {}", JdbcUrls.withoutSecrets(dbUrl), RedisUris.withoutSecrets(redisUrl));
    }

    /** Starts the embedded PostgreSQL when asked to, waits for the database, migrates it: the pool on it. */
    private BasicDataSource startPostgres(CamelContext context, EmbeddedPostgresServer postgres, Duration wait) throws Exception {
        if (postgres != null) {
            // started now, not with the context: the schema and the routes' beans need it first
            postgres.start();
            context.addService(postgres, true, false);
            dbUrl = postgres.jdbcUrl();
            dbUser = postgres.user();
            dbPassword = "";
        }
        // passwords inside the addresses reach driver messages that we log: mask them like env secrets
        Secrets.register(dbPassword);
        Secrets.register(JdbcUrls.password(dbUrl));
        String dbName = "PostgreSQL at " + JdbcUrls.withoutSecrets(dbUrl);
        StorageWait.until(dbName, wait, () -> {
            // bounded: a server that accepts and then says nothing must not outlast the wait
            Properties probe = new Properties();
            probe.setProperty("user", dbUser);
            probe.setProperty("password", dbPassword);
            probe.setProperty("connectTimeout", "5");
            probe.setProperty("socketTimeout", "5");
            probe.setProperty("loginTimeout", "5");
            DriverManager.getConnection(dbUrl, probe).close();
            return true;
        });
        // a database that stops answering without closing its connections must not hold a thread for ever
        // (a crawl's CSV streams in fetches of 1,000 rows, far below the socket timeout)
        BasicDataSource dataSource = pool(poolSize, 300);
        SchemaMigration.migrate(dataSource, demoSchema);
        return dataSource;
    }

    private static String startEmbedded(EmbeddedRedisServer redis) {
        redis.start();
        return redis.uri();
    }

    private static RedissonClient connectRedis(String uri, Duration wait) {
        Secrets.register(RedisUris.password(uri));
        Config config = new Config();
        config.useSingleServer().setAddress(uri).setConnectionMinimumIdleSize(1).setConnectionPoolSize(8)
                .setConnectTimeout(3000)
                // a pooled connection lost in an outage is tried again at most a second apart (Redisson's default backs
                // off to 10 s): one still waiting for its turn after Redis came back failed commands seconds later, a
                // second outage in the log and 503s from the status intake (StatusIntakeIT, one run in three)
                .setReconnectionDelay(new EqualJitterDelay(Duration.ofMillis(100), Duration.ofSeconds(1)));
        // Harvester never stores a Redisson object as a value: no looking at each value for one to store as
        // a reference instead (a seventh of the time it took to write a task set's members)
        config.setReferenceEnabled(false);
        return StorageWait.until("Redis at " + RedisUris.withoutSecrets(uri), wait, () -> Redisson.create(config));
    }

    /** The Redis client started beside PostgreSQL; its failure is thrown as it was raised. */
    private static RedissonClient joinStart(CompletableFuture<RedissonClient> started) {
        try {
            return started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** A pool on the database; {@code socketTimeoutSeconds} 0 for none. */
    private BasicDataSource pool(int size, int socketTimeoutSeconds) {
        BasicDataSource pool = new BasicDataSource();
        pool.setUrl(dbUrl);
        pool.setUsername(dbUser);
        pool.setPassword(dbPassword);
        pool.setMaxTotal(size);
        // dbcp2 keeps only 8 idle by default: above 8 concurrent users every returned connection was
        // closed and the next one opened anew (a PostgreSQL backend fork per lookup of a busy crawl)
        pool.setMaxIdle(size);
        pool.setMaxWait(Duration.ofSeconds(30));
        pool.setValidationQuery("select 1");
        pool.setValidationQueryTimeout(Duration.ofSeconds(5));
        // named, so that an instance finding this one dead can cancel the statements it left running
        pool.setConnectionProperties("connectTimeout=10;socketTimeout=" + socketTimeoutSeconds
                + ";tcpKeepAlive=true;ApplicationName=" + InstanceId.applicationName(InstanceId.get()));
        pool.setTestOnBorrow(true);
        return pool;
    }

    /** Stops the embedded servers started so far; for a start-up that failed before Camel could stop them. */
    public static void stopEmbedded() {
        for (int i = EMBEDDED.size() - 1; i >= 0; i--) {
            try {
                EMBEDDED.get(i).stop();
            } catch (Exception e) {
                LOG.warn("Could not stop {}: {}", EMBEDDED.get(i), e.getMessage());
            }
        }
        EMBEDDED.clear();
    }

    @BindToRegistry("harvesterInstanceId")
    public String instanceId() {
        return InstanceId.get();
    }

    private static void require(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(what + " is not set: the prod profile needs it (or use the dev profile)");
        }
    }
}
