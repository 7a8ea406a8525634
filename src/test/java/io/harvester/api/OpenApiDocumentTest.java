package io.harvester.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.LogLines;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.apache.camel.spi.RestRegistry;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * GET /api/openapi.json, as a client generator reads it: swagger-parser finds nothing to report, and every
 * REST verb the daemon serves is an operation with an id, a summary, the bearer token, described
 * parameters and a schema for its body and for each of its answers, errors included; and the daemon's
 * answers are what those schemas say.
 */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class OpenApiDocumentTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void should_describe_every_endpoint_completely_and_validate_without_a_message() throws Exception {
        harvester = daemons.start("[]", Map.of());
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + harvester.port() + "/api/openapi.json"))
                .header("Authorization", "Bearer " + HarvesterRuntime.API_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);

        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(answer.body(), null, options);
        assertThat(parsed.getMessages()).as("swagger-parser's messages").isEmpty();
        OpenAPI document = parsed.getOpenAPI();

        SecurityScheme bearer = document.getComponents().getSecuritySchemes().get("bearer");
        assertThat(bearer.getType()).isEqualTo(SecurityScheme.Type.HTTP);
        assertThat(bearer.getScheme()).isEqualTo("bearer");

        List<String> served = new ArrayList<>();
        for (RestRegistry.RestService service : harvester.context().getRestRegistry().listAllRestServices()) {
            String path = service.getUrl().replaceFirst("^[a-z]+://[^/]+", "");
            if (path.startsWith("/api/")) {
                served.add(service.getMethod().toUpperCase() + " " + path);
            }
        }
        List<String> documented = new ArrayList<>();
        List<String> operationIds = new ArrayList<>();
        document.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            String verb = method + " " + path;
            documented.add(verb);
            operationIds.add(operation.getOperationId());
            assertComplete(verb, path, operation, document);
        }));
        assertThat(documented).as("the documented operations are the served ones").containsExactlyInAnyOrderElementsOf(served);
        assertThat(operationIds).as("operation ids").doesNotHaveDuplicates().noneMatch(id -> id.matches("verb[0-9]+"));
        assertThat(operationIds).contains("reportTaskStatus", "addDelayedTasks", "startRun", "cancelRun", "listRuns",
                "listActiveRuns", "getRun", "deleteRun", "getRunLogs", "listRunFiles", "downloadRunFile", "listPipelines",
                "getOpenApiDocument");

        // the answers other engineers' refusals give, where they apply
        assertThat(codes(document, "/api/tasks/status", PathItem.HttpMethod.POST)).contains("202", "400", "401", "413", "503");
        assertThat(document.getPaths().get("/api/tasks/status").getPost().getResponses().get("503").getHeaders())
                .containsKey("Retry-After");
        assertThat(codes(document, "/api/runs", PathItem.HttpMethod.POST)).contains("202", "400", "401", "409", "413");
        assertThat(codes(document, "/api/runs/{id}", PathItem.HttpMethod.GET)).contains("200", "400", "401", "404");
    }

    @Test
    void should_describe_a_rest_verb_it_has_no_schemas_for_generically_and_warn_once() throws Exception {
        harvester = daemons.start("""
                - rest:
                    path: /api/extra
                    get:
                      - path: /hello/{name}
                        to: direct:extra-hello
                      - path: /named
                        id: extraNamed
                        description: A verb with an id but no schemas
                        to: direct:extra-named
                - route:
                    routeConfigurationId: harvester-api
                    from:
                      uri: direct:extra-hello
                      steps:
                        - setBody:
                            constant: hello
                - route:
                    routeConfigurationId: harvester-api
                    from:
                      uri: direct:extra-named
                      steps:
                        - setBody:
                            constant: named
                """, Map.of());

        try (LogLines log = LogLines.capture()) {
            HttpResponse<String> answer = send("GET", "/api/openapi.json", null);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(send("GET", "/api/openapi.json", null).statusCode()).isEqualTo(200);

            ParseOptions options = new ParseOptions();
            options.setResolve(true);
            assertThat(new OpenAPIV3Parser().readContents(answer.body(), null, options).getMessages())
                    .as("swagger-parser's messages").isEmpty();
            com.fasterxml.jackson.databind.JsonNode paths = JSON.readTree(answer.body()).path("paths");
            String errors = ",\"401\":{\"description\":\"The token is missing or wrong, or the API has none configured\","
                    + "\"content\":{\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/Error\"}}}},"
                    + "\"500\":{\"description\":\"An unexpected failure; the error names it\","
                    + "\"content\":{\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/Error\"}}}}}";
            assertThat(JSON.writeValueAsString(paths.path("/api/extra/hello/{name}").path("get"))).isEqualTo(
                    "{\"tags\":[\"/api/extra\"],\"operationId\":\"getApiExtraHelloName\",\"parameters\":[{\"name\":\"name\","
                            + "\"in\":\"path\",\"required\":true,\"schema\":{\"type\":\"string\"}}],"
                            + "\"responses\":{\"200\":{\"description\":\"The verb's answer, which this document does not describe\"}" + errors
                            + ",\"x-camelContextId\":\"harvester\",\"summary\":\"GET /api/extra/hello/{name}\",\"security\":[{\"bearer\":[]}]}");
            assertThat(JSON.writeValueAsString(paths.path("/api/extra/named").path("get"))).isEqualTo(
                    "{\"tags\":[\"/api/extra\"],\"summary\":\"A verb with an id but no schemas\",\"operationId\":\"extraNamed\","
                            + "\"responses\":{\"200\":{\"description\":\"The verb's answer, which this document does not describe\"}" + errors
                            + ",\"x-camelContextId\":\"harvester\",\"security\":[{\"bearer\":[]}]}");
            assertThat(paths.path("/api/runs").path("post").path("requestBody").path("content").path("application/json")
                    .path("schema").path("$ref").asText()).as("the described verbs keep their schemas")
                    .isEqualTo("#/components/schemas/StartRunRequest");
            assertThat(log.containing("OpenAPI")).containsExactly("WARN OpenAPI: described without schemas:"
                    + " GET /api/extra/hello/{name} (no id), GET /api/extra/named (no schema ExtraNamedResponse);"
                    + " give each REST verb an id and its schemas in openapi/schemas.yaml"
                    + " (<Id>Request for a body, <Id>Response for its 2xx answers)");
        }
    }

    @Test
    void should_answer_each_endpoint_as_the_document_describes_it() throws Exception {
        upstream = FakeUpstream.start().total(30);
        harvester = daemons.start(ExportYaml.exports().export("orders", upstream.url("/orders"),
                Map.of("pageSize", "10")).yaml(), Map.of());
        OpenAPI document = parse(send("GET", "/api/openapi.json", null).body());
        SchemaConformance conformance = new SchemaConformance(document);
        List<String> problems = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        java.util.function.BiConsumer<String, String[]> check = (verb, request) -> {
            try {
                HttpResponse<String> answer = send(request[0], request[1], request.length > 2 ? request[2] : null);
                String code = String.valueOf(answer.statusCode());
                ApiResponse described = operation(document, verb).getResponses().get(code);
                if (described == null) {
                    problems.add(verb + " answered " + code + ", which the document does not list: " + answer.body());
                    return;
                }
                checked.add(verb + " " + code);
                problems.addAll(conformance.problems(JSON.readTree(answer.body()),
                        described.getContent().get("application/json").getSchema(), verb + " " + code + " $"));
            } catch (Exception e) {
                throw new IllegalStateException(verb, e);
            }
        };

        check.accept("POST /api/runs", new String[] {"POST", "/api/runs", "{\"pipeline\": \"export:orders\"}"});
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> harvester.query("select id from runs where pipeline = 'export:orders' and finished_at is not null").size() == 1);
        long run = (Long) harvester.query("select id from runs where pipeline = 'export:orders'").get(0).get("id");
        check.accept("POST /api/runs", new String[] {"POST", "/api/runs", "{\"pipeline\": \"export:nothing\"}"});
        check.accept("GET /api/runs", new String[] {"GET", "/api/runs?limit=5"});
        check.accept("GET /api/runs", new String[] {"GET", "/api/runs?limit=none"});
        check.accept("GET /api/runs/active", new String[] {"GET", "/api/runs/active"});
        check.accept("GET /api/runs/{id}", new String[] {"GET", "/api/runs/" + run});
        check.accept("GET /api/runs/{id}", new String[] {"GET", "/api/runs/999999"});
        check.accept("GET /api/runs/{id}/logs", new String[] {"GET", "/api/runs/" + run + "/logs"});
        check.accept("GET /api/runs/{id}/files", new String[] {"GET", "/api/runs/" + run + "/files"});
        check.accept("GET /api/pipelines", new String[] {"GET", "/api/pipelines"});
        check.accept("POST /api/pipelines/{name}/pause", new String[] {"POST", "/api/pipelines/export:orders/pause"});
        check.accept("POST /api/pipelines/{name}/resume", new String[] {"POST", "/api/pipelines/export:orders/resume"});
        check.accept("POST /api/pipelines/{name}/pause", new String[] {"POST", "/api/pipelines/export:nothing/pause"});
        check.accept("POST /api/runs/{id}/cancel", new String[] {"POST", "/api/runs/" + run + "/cancel"});
        check.accept("POST /api/tasks/status", new String[] {"POST", "/api/tasks/status",
                "[{\"id\": \"t1\", \"state\": \"running\", \"at\": 1700000000000, \"worker\": \"w1\"}, {\"id\": 7, \"state\": \"done\"}]"});
        check.accept("POST /api/tasks/status", new String[] {"POST", "/api/tasks/status", "[{\"id\": \"t1\"}]"});
        check.accept("POST /api/tasks/delayed", new String[] {"POST", "/api/tasks/delayed",
                "{\"set\": \"product_details_1\", \"element\": \"B0C1XYZ\", \"due\": \"2030-01-01T00:00:00Z\"}"});
        check.accept("DELETE /api/runs/{id}", new String[] {"DELETE", "/api/runs/" + run});
        check.accept("GET /api/openapi.json", new String[] {"GET", "/api/openapi.json"});

        assertThat(problems).as("answers the document does not describe").isEmpty();
        assertThat(checked).containsExactly("POST /api/runs 202", "POST /api/runs 400", "GET /api/runs 200", "GET /api/runs 400",
                "GET /api/runs/active 200", "GET /api/runs/{id} 200", "GET /api/runs/{id} 404", "GET /api/runs/{id}/logs 200",
                "GET /api/runs/{id}/files 200", "GET /api/pipelines 200", "POST /api/pipelines/{name}/pause 200",
                "POST /api/pipelines/{name}/resume 200", "POST /api/pipelines/{name}/pause 404", "POST /api/runs/{id}/cancel 409",
                "POST /api/tasks/status 202", "POST /api/tasks/status 400", "POST /api/tasks/delayed 202",
                "DELETE /api/runs/{id} 200", "GET /api/openapi.json 200");
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + harvester.port() + path))
                .header("Authorization", "Bearer " + HarvesterRuntime.API_TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static OpenAPI parse(String json) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenAPIV3Parser().readContents(json, null, options).getOpenAPI();
    }

    private static Operation operation(OpenAPI document, String verb) {
        String[] parts = verb.split(" ");
        return document.getPaths().get(parts[1]).readOperationsMap().get(PathItem.HttpMethod.valueOf(parts[0]));
    }

    private static void assertComplete(String verb, String path, Operation operation, OpenAPI document) {
        assertThat(operation.getOperationId()).as(verb + " operationId").isNotBlank();
        assertThat(operation.getSummary()).as(verb + " summary").isNotBlank();
        assertThat(operation.getSecurity()).as(verb + " security").isNotEmpty()
                .allMatch(requirement -> requirement.containsKey("bearer"));
        assertThat(operation.getResponses()).as(verb + " responses").isNotEmpty().containsKey("401")
                .doesNotContainKey("default");
        operation.getResponses().forEach((code, response) -> assertAnswer(verb + " " + code, response, document));
        if (operation.getParameters() != null) {
            for (Parameter parameter : operation.getParameters()) {
                assertThat(parameter.getDescription()).as(verb + " parameter " + parameter.getName()).isNotBlank();
                assertThat(parameter.getSchema()).as(verb + " parameter " + parameter.getName() + " schema").isNotNull();
            }
        }
        for (String segment : path.split("/")) {
            if (segment.startsWith("{")) {
                String name = segment.substring(1, segment.length() - 1);
                assertThat(operation.getParameters()).as(verb + " path parameter " + name)
                        .anyMatch(p -> p.getName().equals(name) && "path".equals(p.getIn()) && Boolean.TRUE.equals(p.getRequired()));
            }
        }
        if (operation.getRequestBody() != null) {
            assertThat(operation.getRequestBody().getDescription()).as(verb + " request body").isNotBlank();
            assertThat(operation.getRequestBody().getContent()).as(verb + " request body").isNotEmpty();
            operation.getRequestBody().getContent().values().forEach(media -> assertSchema(verb + " request body", media, document));
        }
        // the actions on one thing (cancel a run, pause or resume a pipeline) take no body
        if (verb.startsWith("POST ") && !verb.endsWith("/cancel") && !verb.endsWith("/pause") && !verb.endsWith("/resume")) {
            assertThat(operation.getRequestBody()).as(verb + " request body").isNotNull();
        }
    }

    private static void assertAnswer(String what, ApiResponse response, OpenAPI document) {
        assertThat(response.getDescription()).as(what + " description").isNotBlank();
        assertThat(response.getContent()).as(what + " content").isNotEmpty();
        response.getContent().values().forEach(media -> assertSchema(what, media, document));
        if (what.matches(".* [45][0-9][0-9]") && !what.endsWith(" 413")) {
            assertThat(response.getContent().get("application/json").getSchema().get$ref()).as(what)
                    .isEqualTo("#/components/schemas/Error");
        }
    }

    /** A schema that is there, and when a reference, one the document holds. */
    private static void assertSchema(String what, MediaType media, OpenAPI document) {
        assertThat(media.getSchema()).as(what + " schema").isNotNull();
        String ref = media.getSchema().get$ref();
        if (ref != null) {
            assertThat(document.getComponents().getSchemas()).as(what + " " + ref)
                    .containsKey(ref.substring("#/components/schemas/".length()));
        }
    }

    private static List<String> codes(OpenAPI document, String path, PathItem.HttpMethod method) {
        return new ArrayList<>(document.getPaths().get(path).readOperationsMap().get(method).getResponses().keySet());
    }
}
