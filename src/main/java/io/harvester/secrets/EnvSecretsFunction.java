package io.harvester.secrets;

import java.util.Set;

import org.apache.camel.component.properties.EnvPropertiesFunction;

/**
 * Camel's {@code env:} placeholder function, noting every value it resolves as a secret. Installed in
 * place of Camel's own, so a token is masked wherever a pipeline author put it: a header, the URL, any
 * parameter. The storage addresses are logged through their own secret-free renderings and stay readable.
 */
public final class EnvSecretsFunction extends EnvPropertiesFunction {

    /** Variables that are addresses, not secrets (passwords inside them are stripped where they are logged). */
    static final Set<String> NOT_SECRET = Set.of("HARVESTER_DB_URL", "HARVESTER_DB_USER", "HARVESTER_REDIS_URL");

    @Override
    public String apply(String remainder) {
        String value = super.apply(remainder);
        String variable = remainder.split(":", 2)[0].strip();
        // a default ({{env:X:1000}}) is written in the file for all to read, not a secret
        boolean fromEnvironment = System.getenv(variable) != null || System.getenv(variable.toUpperCase(java.util.Locale.ROOT)
                .replace('-', '_').replace('.', '_')) != null;
        if (value != null && fromEnvironment && !NOT_SECRET.contains(variable)) {
            Secrets.register(value);
        }
        return value;
    }
}
