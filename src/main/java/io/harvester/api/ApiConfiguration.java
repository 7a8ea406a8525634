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
import io.harvester.infra.FullyStarted;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds {@code apiToken} and {@code apiGate} (installed first on the HTTP server's router for /api),
 * {@code apiResponse}, {@code openApiDocument} (routes/harvester-api.camel.yaml) and
 * {@code consoleAssets} (routes/harvester-console.camel.yaml). The token comes from
 * {@code harvester.api.token} (HARVESTER_API_TOKEN). The dev profile, which has none, generates one into
 * {@code harvester.api.token-file} (readable by its owner only) and keeps it across restarts; the log
 * names the file, never the token.
 */
public class ApiConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ApiConfiguration.class);

    @PropertyInject("harvester.api.token")
    private String token;
    @PropertyInject("harvester.api.generate-token")
    private boolean generate;
    @PropertyInject("harvester.api.token-file")
    private String tokenFile;
    @PropertyInject("harvester.api.in-flight-bytes")
    private long inFlightBytes;
    @PropertyInject("camel.server.max-body-size")
    private long maxBodySize;
    @PropertyInject("harvester.api.body-timeout-ms")
    private long bodyTimeoutMs;

    @Override
    public void configure(CamelContext context) throws Exception {
        String effective = token;
        if ((effective == null || effective.isBlank()) && generate) {
            effective = generated(Path.of(tokenFile));
        }
        ApiToken apiToken = new ApiToken(effective);
        if (!apiToken.configured()) {
            LOG.warn("No API token (HARVESTER_API_TOKEN): every /api request is refused with 401");
        }
        context.getRegistry().bind("apiToken", apiToken);
        ApiGate gate = new ApiGate(apiToken, inFlightBytes, maxBodySize, bodyTimeoutMs);
        context.getRegistry().bind("apiGate", gate);
        FullyStarted.then(context, started -> installGate(started, gate));
        context.getRegistry().bind("apiResponse", new ApiResponse());
        context.getRegistry().bind("consoleAssets", new ConsoleAssets());
        context.getRegistry().bind("openApiDocument", new OpenApiDocument(getClass().getPackage().getImplementationVersion() == null
                ? "dev" : getClass().getPackage().getImplementationVersion()));
    }

    /**
     * Puts the gate on the HTTP server's router once the server is up: ordered first, ahead of every
     * route's body handler whenever the routes were added.
     */
    private static void installGate(CamelContext context, ApiGate gate) {
        MainHttpServer server = context.hasService(MainHttpServer.class);
        if (server == null || server.getRouter() == null) {
            LOG.warn("No HTTP server (camel.server.enabled=false): the request gate is not installed");
            return;
        }
        server.getRouter().route().order(-1000).handler(gate);
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
