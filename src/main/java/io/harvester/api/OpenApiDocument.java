package io.harvester.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.apache.camel.openapi.BeanConfig;
import org.apache.camel.openapi.RestOpenApiReader;
import org.apache.camel.openapi.RestOpenApiSupport;

/**
 * Bean {@code openApiDocument} (GET /api/openapi.json): the OpenAPI 3 document of every REST endpoint.
 * camel-openapi-java makes it from the REST DSL (each verb's id, description, params and response
 * messages); this class adds what the DSL cannot say:
 * <ul>
 *   <li>the JSON schemas of {@code openapi/schemas.yaml}: operation {@code startRun}'s body is
 *       {@code StartRunRequest}, its 2xx answers {@code StartRunResponse}, every refusal {@code Error}, a 413
 *       (the HTTP server's own, before any route) plain text;</li>
 *   <li>what the harvester-api route configuration gives every verb: the bearer token (scheme
 *       {@code bearer}), its 401 and the 500 of an unexpected failure.</li>
 * </ul>
 * It is served by an ordinary REST verb rather than by {@code camel.rest.api-context-path}: Camel's own API
 * route cannot take the harvester-api route configuration, and like every /api endpoint the document
 * needs the token.
 */
public final class OpenApiDocument {

    static final String SCHEMAS = "openapi/schemas.yaml";
    static final String BEARER = "bearer";
    private static final String REF = "#/components/schemas/";
    private static final String JSON_TYPE = "application/json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String version;
    private final ObjectNode schemas;

    public OpenApiDocument(String version) {
        this.version = version;
        this.schemas = schemas();
    }

    /** The document as a JSON tree, for {@code apiResponse} to write. */
    public JsonNode render(Exchange exchange) throws Exception {
        CamelContext context = exchange.getContext();
        BeanConfig config = new BeanConfig();
        // BeanConfig's own version is the OpenAPI one (its default, 3.x); the API's version goes into info
        config.setInfo(new Info().title("Harvester API").version(version)
                .description("Runs, pipelines and task intake of a Harvester daemon. Every request needs"
                        + " Authorization: Bearer <token> (HARVESTER_API_TOKEN)."));
        config.setBasePath("/");
        List<RestDefinition> rests = new RestOpenApiSupport().getRestDefinitions(context);
        OpenAPI document = new RestOpenApiReader().read(context, rests, config, context.getName(), context.getClassResolver());
        ObjectNode tree = (ObjectNode) JSON.readTree(RestOpenApiSupport.getJsonFromOpenAPIAsString(document, config));
        complete(tree, produces(context, rests));
        return tree;
    }

    /** Adds the schemas, the token and the answers every verb shares to the reader's document. */
    private void complete(ObjectNode document, Map<String, String> producesById) {
        ObjectNode components = document.withObject("components");
        components.set("schemas", schemas.deepCopy());
        components.withObject("securitySchemes").set(BEARER, JSON.createObjectNode().put("type", "http").put("scheme", BEARER)
                .put("description", "The API token (HARVESTER_API_TOKEN), sent as Authorization: Bearer <token>"));
        for (JsonNode path : document.path("paths")) {
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.fields(); methods.hasNext(); ) {
                ObjectNode operation = (ObjectNode) methods.next().getValue();
                String id = operation.path("operationId").asText();
                String name = Character.toUpperCase(id.charAt(0)) + id.substring(1);
                operation.putArray("security").addObject().putArray(BEARER);
                JsonNode body = operation.path("requestBody").path("content");
                body.forEach(media -> ((ObjectNode) media).set("schema", ref(name + "Request", id)));
                ObjectNode responses = operation.withObject("responses");
                responses.withObject("401").put("description", "The token is missing or wrong, or the API has none configured");
                responses.withObject("500").put("description", "An unexpected failure; the error names it");
                for (Iterator<Map.Entry<String, JsonNode>> codes = responses.fields(); codes.hasNext(); ) {
                    Map.Entry<String, JsonNode> code = codes.next();
                    ((ObjectNode) code.getValue()).set("content", content(code.getKey(), name, id, producesById.get(id)));
                }
            }
        }
    }

    private JsonNode content(String code, String name, String id, String produces) {
        ObjectNode content = JSON.createObjectNode();
        if (code.startsWith("2")) {
            content.withObject(produces == null ? JSON_TYPE : produces).set("schema", ref(name + "Response", id));
        } else if (code.equals("413")) {
            // Vert.x's body handler refuses it before any route runs, as plain text
            content.withObject("text/plain").withObject("schema").put("type", "string");
        } else {
            content.withObject(JSON_TYPE).set("schema", ref("Error", id));
        }
        return content;
    }

    private JsonNode ref(String schema, String operationId) {
        if (!schemas.has(schema)) {
            throw new IllegalStateException("operation " + operationId + " needs schema " + schema + " in " + SCHEMAS);
        }
        return JSON.createObjectNode().put("$ref", REF + schema);
    }

    /** Each verb's media type, by operationId (the verb's id). */
    private static Map<String, String> produces(CamelContext context, List<RestDefinition> rests) {
        Map<String, String> byId = new HashMap<>();
        for (RestDefinition rest : rests) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String produces = verb.getProduces() != null ? verb.getProduces() : rest.getProduces();
                if (verb.getId() != null && produces != null) {
                    byId.put(context.resolvePropertyPlaceholders(verb.getId()), produces.split(",")[0].strip());
                }
            }
        }
        return byId;
    }

    private static ObjectNode schemas() {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(SCHEMAS)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMAS + " is missing from the class path");
            }
            return (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(SCHEMAS + ": " + e.getMessage(), e);
        }
    }
}
