package io.harvester.http;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.Registry;

/**
 * The registry camel-resilience4j takes every route's circuit breaker from (it looks one up by type in
 * Camel's registry): the breakers keep the settings Camel built from camel.resilience4j.*, and ignore a
 * {@link RunEndedException}. A page cut off because its run ended (a cancel, maxDurationMs, a shutdown)
 * says nothing about the upstream; counted as failures, one cancelled export with ten pages in flight
 * would open its breaker and refuse the next run.
 * <p>
 * Why not the circuitBreaker EIP's {@code resilience4jConfiguration: ignoreException} in the templates:
 * Camel 4.17 copies a route template's inline configuration with its ignore list as the record list too
 * (CAMEL-16789), so every other failure then counts as a success and is swallowed by the EIP.
 */
public final class PipelineBreakerRegistry implements CircuitBreakerRegistry {

    private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();

    /** The config with run-ended cuts ignored besides whatever it ignored already. */
    static CircuitBreakerConfig ignoringRunEnded(CircuitBreakerConfig config) {
        Predicate<Throwable> ignored = config.getIgnoreExceptionPredicate();
        // Resilience4j sees Camel's wrapper (RuntimeCamelException), not the exception the HTTP client threw
        return CircuitBreakerConfig.from(config)
                .ignoreException(failure -> ignored.test(failure) || HttpFailures.find(failure, RunEndedException.class) != null)
                .build();
    }

    @Override
    public CircuitBreaker circuitBreaker(String name, CircuitBreakerConfig config) {
        return registry.circuitBreaker(name, ignoringRunEnded(config));
    }

    @Override
    public CircuitBreaker circuitBreaker(String name, CircuitBreakerConfig config, Map<String, String> tags) {
        return registry.circuitBreaker(name, ignoringRunEnded(config), tags);
    }

    @Override
    public CircuitBreaker circuitBreaker(String name) {
        return circuitBreaker(name, getDefaultConfig());
    }

    @Override
    public CircuitBreaker circuitBreaker(String name, Map<String, String> tags) {
        return circuitBreaker(name, getDefaultConfig(), tags);
    }

    @Override
    public CircuitBreaker circuitBreaker(String name, String configName) {
        return circuitBreaker(name, configuration(configName));
    }

    @Override
    public CircuitBreaker circuitBreaker(String name, String configName, Map<String, String> tags) {
        return circuitBreaker(name, configuration(configName), tags);
    }

    @Override
    public CircuitBreaker circuitBreaker(String name, Supplier<CircuitBreakerConfig> config) {
        return circuitBreaker(name, config.get());
    }

    @Override
    public CircuitBreaker circuitBreaker(String name, Supplier<CircuitBreakerConfig> config, Map<String, String> tags) {
        return circuitBreaker(name, config.get(), tags);
    }

    private CircuitBreakerConfig configuration(String configName) {
        return registry.getConfiguration(configName)
                .orElseThrow(() -> new IllegalArgumentException("no circuit breaker configuration named " + configName));
    }

    @Override
    public Set<CircuitBreaker> getAllCircuitBreakers() {
        return registry.getAllCircuitBreakers();
    }

    @Override
    public void addConfiguration(String configName, CircuitBreakerConfig config) {
        registry.addConfiguration(configName, config);
    }

    @Override
    public Optional<CircuitBreaker> find(String name) {
        return registry.find(name);
    }

    @Override
    public Optional<CircuitBreaker> remove(String name) {
        return registry.remove(name);
    }

    @Override
    public Optional<CircuitBreaker> replace(String name, CircuitBreaker breaker) {
        return registry.replace(name, breaker);
    }

    @Override
    public Optional<CircuitBreakerConfig> getConfiguration(String configName) {
        return registry.getConfiguration(configName);
    }

    @Override
    public CircuitBreakerConfig getDefaultConfig() {
        return registry.getDefaultConfig();
    }

    @Override
    public Map<String, String> getTags() {
        return registry.getTags();
    }

    @Override
    public Registry.EventPublisher<CircuitBreaker> getEventPublisher() {
        return registry.getEventPublisher();
    }

    @Override
    public CircuitBreakerConfig removeConfiguration(String configName) {
        return registry.removeConfiguration(configName);
    }
}
