package io.harvester.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;

/**
 * Whether a JSON answer is what the OpenAPI document says it is: every field declared, the required ones
 * there, each value of its declared type (null only where nullable), arrays item by item, {@code allOf}
 * merged, {@code oneOf} met by one. Enough to catch a document that drifted from the code; not a full JSON
 * Schema validator.
 */
final class SchemaConformance {

    private static final String REF = "#/components/schemas/";
    private final OpenAPI document;

    SchemaConformance(OpenAPI document) {
        this.document = document;
    }

    /** What in {@code value} the schema does not allow, one line per problem with its JSON path; empty when it conforms. */
    List<String> problems(JsonNode value, Schema<?> schema, String path) {
        Schema<?> resolved = resolve(schema);
        List<String> problems = new ArrayList<>();
        if (value.isNull()) {
            if (!Boolean.TRUE.equals(resolved.getNullable())) {
                problems.add(path + ": null, but not nullable");
            }
            return problems;
        }
        if (resolved.getOneOf() != null) {
            for (Schema<?> option : resolved.getOneOf()) {
                if (problems(value, option, path).isEmpty()) {
                    return problems;
                }
            }
            problems.add(path + ": matches none of its oneOf schemas");
            return problems;
        }
        if (resolved.getAllOf() != null) {
            return objectProblems(value, merged(resolved.getAllOf()), path);
        }
        String type = resolved.getType();
        if (type == null && resolved.getProperties() != null) {
            type = "object";
        }
        if (type == null) {
            return problems;
        }
        boolean typed = switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> true;
        };
        if (!typed) {
            problems.add(path + ": " + value.getNodeType() + ", not " + type);
        } else if (type.equals("object")) {
            problems.addAll(objectProblems(value, resolved, path));
        } else if (type.equals("array") && resolved.getItems() != null) {
            for (int i = 0; i < value.size(); i++) {
                problems.addAll(problems(value.get(i), resolved.getItems(), path + "[" + i + "]"));
            }
        } else if (resolved.getEnum() != null && !resolved.getEnum().stream().map(String::valueOf).toList().contains(value.asText())) {
            problems.add(path + ": '" + value.asText() + "' is none of " + resolved.getEnum());
        }
        return problems;
    }

    private List<String> objectProblems(JsonNode value, Schema<?> schema, String path) {
        List<String> problems = new ArrayList<>();
        Map<String, Schema> properties = schema.getProperties() == null ? Map.of() : schema.getProperties();
        boolean open = Boolean.TRUE.equals(schema.getAdditionalProperties()) || properties.isEmpty();
        value.fields().forEachRemaining(field -> {
            Schema<?> declared = properties.get(field.getKey());
            if (declared != null) {
                problems.addAll(problems(field.getValue(), declared, path + "." + field.getKey()));
            } else if (!open) {
                problems.add(path + "." + field.getKey() + ": not in the schema");
            }
        });
        if (schema.getRequired() != null) {
            schema.getRequired().stream().filter(name -> !value.has(name)).forEach(name -> problems.add(path + "." + name + ": required, missing"));
        }
        return problems;
    }

    private Schema<?> merged(List<Schema> parts) {
        Map<String, Schema> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (Schema<?> part : parts) {
            Schema<?> resolved = resolve(part);
            Schema<?> whole = resolved.getAllOf() != null ? merged(resolved.getAllOf()) : resolved;
            if (whole.getProperties() != null) {
                properties.putAll(whole.getProperties());
            }
            if (whole.getRequired() != null) {
                required.addAll(whole.getRequired());
            }
        }
        Schema<Object> merged = new Schema<>();
        merged.setType("object");
        merged.setProperties(properties);
        merged.setRequired(required.isEmpty() ? null : required);
        return merged;
    }

    private Schema<?> resolve(Schema<?> schema) {
        Schema<?> resolved = schema;
        while (resolved.get$ref() != null) {
            resolved = document.getComponents().getSchemas().get(resolved.get$ref().substring(REF.length()));
        }
        return resolved;
    }
}
