package io.harvester.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * A verb without an id, or without its schemas in {@code openapi/schemas.yaml} (a REST route an operator
 * added), is described generically: an operationId made of its method and path, no body or answer
 * schema; one WARN names it, and the rest of the document is served as usual.
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
    private static final Logger LOG = LoggerFactory.getLogger(OpenApiDocument.class);

    private final String version;
    private final ObjectNode schemas;
    /** The generic operations already warned about: the document is made on every request. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

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
        Set<String> generic = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> method = methods.next();
                ObjectNode operation = (ObjectNode) method.getValue();
                String id = operation.path("operationId").asText();
                boolean named = producesById.containsKey(id);
                String missing = named ? missingSchema(operation, id) : "no id";
                if (missing != null) {
                    generic.add(method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey() + " (" + missing + ")");
                    describeGenerically(operation, method.getKey(), path.getKey(), !named);
                    continue;
                }
                String name = schemaName(id);
                operation.putArray("security").addObject().putArray(BEARER);
                JsonNode body = operation.path("requestBody").path("content");
                body.forEach(media -> ((ObjectNode) media).set("schema", ref(name + "Request")));
                for (Map.Entry<String, ObjectNode> code : responses(operation).entrySet()) {
                    code.getValue().set("content", content(code.getKey(), name, producesById.get(id)));
                }
            }
        }
        generic.removeIf(operation -> !warned.add(operation));
        if (!generic.isEmpty()) {
            LOG.warn("OpenAPI: described without schemas: {}; give each REST verb an id and its schemas in {}"
                    + " (<Id>Request for a body, <Id>Response for its 2xx answers)", String.join(", ", generic), SCHEMAS);
        }
    }

    /** The operation's answers with the 401 and 500 every verb shares added, by code. */
    private static Map<String, ObjectNode> responses(ObjectNode operation) {
        ObjectNode responses = operation.withObject("responses");
        responses.withObject("401").put("description", "The token is missing or wrong, or the API has none configured");
        responses.withObject("500").put("description", "An unexpected failure; the error names it");
        Map<String, ObjectNode> byCode = new LinkedHashMap<>();
        responses.fields().forEachRemaining(code -> byCode.put(code.getKey(), (ObjectNode) code.getValue()));
        return byCode;
    }

    /** The schema an operation with this id lacks in {@link #SCHEMAS}, as a phrase; null when it has them all. */
    private String missingSchema(ObjectNode operation, String id) {
        String name = schemaName(id);
        if (!operation.path("requestBody").path("content").isEmpty() && !schemas.has(name + "Request")) {
            return "no schema " + name + "Request";
        }
        // every verb answers something on success: its schema is needed even where no 2xx responseMessage is listed
        return schemas.has(name + "Response") ? null : "no schema " + name + "Response";
    }

    /**
     * A verb this document has no schemas for: its id (or one made of its method and path when it has
     * none), a summary, the token and the shared answers; bodies and 2xx answers without a schema.
     */
    private void describeGenerically(ObjectNode operation, String method, String path, boolean unnamed) {
        if (unnamed) {
            StringBuilder id = new StringBuilder(method.toLowerCase(Locale.ROOT));
            for (String word : path.split("[^A-Za-z0-9]+")) {
                if (!word.isEmpty()) {
                    id.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
                }
            }
            operation.put("operationId", id.toString());
        }
        if (operation.path("summary").asText().isBlank()) {
            operation.put("summary", method.toUpperCase(Locale.ROOT) + " " + path);
        }
        operation.putArray("security").addObject().putArray(BEARER);
        operation.path("requestBody").path("content").forEach(media -> ((ObjectNode) media).remove("schema"));
        ObjectNode answers = operation.withObject("responses");
        // the reader's stand-in for a verb without responseMessages is an empty default, which OpenAPI refuses
        if (answers.path("default").path("description").isMissingNode()) {
            answers.remove("default");
        }
        if (!answers.fieldNames().hasNext()) {
            answers.withObject("200").put("description", "The verb's answer, which this document does not describe");
        }
        for (Map.Entry<String, ObjectNode> code : responses(operation).entrySet()) {
            if (code.getKey().startsWith("2")) {
                code.getValue().remove("content");
            } else {
                code.getValue().set("content", content(code.getKey(), null, null));
            }
        }
    }

    private static String schemaName(String id) {
        return Character.toUpperCase(id.charAt(0)) + id.substring(1);
    }

    private JsonNode content(String code, String name, String produces) {
        ObjectNode content = JSON.createObjectNode();
        if (code.startsWith("2")) {
            content.withObject(produces == null ? JSON_TYPE : produces).set("schema", ref(name + "Response"));
        } else if (code.equals("413")) {
            // Vert.x's body handler refuses it before any route runs, as plain text
            content.withObject("text/plain").withObject("schema").put("type", "string");
        } else {
            content.withObject(JSON_TYPE).set("schema", ref("Error"));
        }
        return content;
    }

    private static JsonNode ref(String schema) {
        return JSON.createObjectNode().put("$ref", REF + schema);
    }

    /** Each verb with an id of its own: its media type (null when it names none), by operationId. */
    private static Map<String, String> produces(CamelContext context, List<RestDefinition> rests) {
        Map<String, String> byId = new HashMap<>();
        for (RestDefinition rest : rests) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String produces = verb.getProduces() != null ? verb.getProduces() : rest.getProduces();
                if (verb.hasCustomIdAssigned()) {
                    byId.put(context.resolvePropertyPlaceholders(verb.getId()),
                            produces == null ? null : produces.split(",")[0].strip());
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
