package io.harvester.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

import io.harvester.console.ConsoleAssets;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds {@code apiToken}, {@code apiResponse}, {@code openApiDocument} (routes/harvester-api.camel.yaml) and
 * {@code consoleAssets} (routes/harvester-console.camel.yaml). The token comes from
 * {@code harvester.api.token} (HARVESTER_API_TOKEN). The dev profile, which has none, generates one into
 * {@code harvester.api.token-file} (readable by its owner only) and keeps it across restarts; the log
 * names the file, never the token.
 */
public class ApiConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ApiConfiguration.class);

    @PropertyInject(value = "harvester.api.token", defaultValue = "")
    private String token;
    @PropertyInject(value = "harvester.api.generate-token", defaultValue = "false")
    private boolean generate;
    @PropertyInject(value = "harvester.api.token-file", defaultValue = "data/api-token")
    private String tokenFile;

    @Override
    public void configure(CamelContext context) {
        String effective = token;
        if ((effective == null || effective.isBlank()) && generate) {
            effective = generated(Path.of(tokenFile));
        }
        ApiToken apiToken = new ApiToken(effective);
        if (!apiToken.configured()) {
            LOG.warn("No API token (HARVESTER_API_TOKEN): every /api request is refused with 401");
        }
        context.getRegistry().bind("apiToken", apiToken);
        context.getRegistry().bind("apiResponse", new ApiResponse());
        context.getRegistry().bind("consoleAssets", new ConsoleAssets());
        context.getRegistry().bind("openApiDocument", new OpenApiDocument(getClass().getPackage().getImplementationVersion() == null
                ? "dev" : getClass().getPackage().getImplementationVersion()));
    }

    /** The token in {@code file}, made there first when the file does not exist yet. */
    static String generated(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                LOG.info("API token: the one in {} (send it as Authorization: Bearer <token>)", file.toAbsolutePath());
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, "api-token", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, fresh + "\n", StandardCharsets.UTF_8);
            Files.move(temp, file);
            LOG.info("API token generated into {} (send it as Authorization: Bearer <token>)", file.toAbsolutePath());
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("API token file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }
}
