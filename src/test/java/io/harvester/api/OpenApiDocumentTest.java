package io.harvester.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.harvester.support.HarvesterRuntime;
import io.harvester.support.PerTestDaemon;
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
import org.junit.jupiter.api.Test;

/**
 * GET /api/openapi.json, as a client generator reads it: swagger-parser finds nothing to report, and every
 * REST verb the daemon serves is an operation with an id, a summary, the bearer token, described
 * parameters and a schema for its body and for each of its answers, errors included.
 */
class OpenApiDocumentTest extends PerTestDaemon {

    @Test
    void should_describe_every_endpoint_completely_and_validate_without_a_message() throws Exception {
        harvester = HarvesterRuntime.start(work, "[]", Map.of());
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
        if (verb.startsWith("POST ") && !verb.endsWith("/cancel")) {
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
