package io.harvester.infra;

import javax.sql.DataSource;

import org.redisson.api.RedissonClient;

/**
 * PostgreSQL and Redis as {@link StorageConfiguration} connected them, bound by this type for the
 * configurations that build on them (a site may bind DataSources of its own, for job steps on other
 * databases). Routes and users name the same pool and client {@code dataSource} and {@code redisson}.
 */
public record Storage(DataSource dataSource, RedissonClient redis) {
}
