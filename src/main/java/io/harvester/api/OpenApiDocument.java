package io.harvester.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.openapi.BeanConfig;
import org.apache.camel.openapi.RestOpenApiReader;
import org.apache.camel.openapi.RestOpenApiSupport;

/**
 * Bean {@code openApiDocument} (GET /api/openapi.json): the OpenAPI 3 document of every REST endpoint,
 * made by camel-openapi-java from the REST DSL. It is served by an ordinary REST verb rather than by
 * {@code camel.rest.api-context-path}: Camel's own API route cannot take the harvester-api route
 * configuration, and like every /api endpoint the document needs the token.
 */
public final class OpenApiDocument {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String version;

    public OpenApiDocument(String version) {
        this.version = version;
    }

    /** The document as a JSON tree, for {@code apiResponse} to write. */
    public JsonNode render(Exchange exchange) throws Exception {
        CamelContext context = exchange.getContext();
        BeanConfig config = new BeanConfig();
        // BeanConfig's own version is the OpenAPI one (its default, 3.x); the API's version goes into info
        config.setInfo(new Info().title("Harvester API").version(version));
        config.setBasePath("/");
        OpenAPI document = new RestOpenApiReader().read(context, new RestOpenApiSupport().getRestDefinitions(context), config,
                context.getName(), context.getClassResolver());
        return JSON.readTree(RestOpenApiSupport.getJsonFromOpenAPIAsString(document, config));
    }
}
