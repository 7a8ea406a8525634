package io.harvester.http;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A dotted path into a JSON document, such as {@code data.total}, compiled once into a Jackson
 * {@link JsonPointer} ({@code /data/total}); a numeric part indexes an array ({@code list.0.id}).
 */
public final class JsonField {

    private final String path;
    private final JsonPointer pointer;

    public JsonField(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("a JSON field path must not be blank");
        }
        this.path = path.trim();
        StringBuilder pointer = new StringBuilder();
        for (String part : this.path.split("\\.", -1)) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("JSON field path '" + this.path + "' has an empty part");
            }
            pointer.append('/').append(part.replace("~", "~0").replace("/", "~1"));
        }
        this.pointer = JsonPointer.compile(pointer.toString());
    }

    /** The node at this path, or null when any part of the path is absent or JSON null. */
    public JsonNode find(JsonNode root) {
        if (root == null) {
            return null;
        }
        JsonNode node = root.at(pointer);
        return node.isNull() || node.isMissingNode() ? null : node;
    }

    public String path() {
        return path;
    }

    @Override
    public String toString() {
        return path;
    }
}
