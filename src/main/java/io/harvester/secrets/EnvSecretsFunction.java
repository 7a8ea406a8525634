package io.harvester.secrets;

import java.util.Set;

import org.apache.camel.component.properties.EnvPropertiesFunction;
import org.apache.camel.util.IOHelper;
import org.apache.camel.util.StringHelper;

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
        String variable = remainder.contains(":") ? StringHelper.before(remainder, ":") : remainder;
        // the same lookup as Camel's (it also tries the upper-case and dashed forms): a value found there is
        // the environment's; otherwise the result is the default written in the file, for all to read
        String fromEnvironment = IOHelper.lookupEnvironmentVariable(variable);
        if (fromEnvironment != null && !NOT_SECRET.contains(variable.strip())) {
            Secrets.register(fromEnvironment);
        }
        return super.apply(remainder);
    }
}
