package io.harvester.paging;

import com.fasterxml.jackson.databind.JsonNode;

/** A dotted path into a JSON document, such as {@code data.total}. */
public final class JsonField {

    private final String path;
    private final String[] parts;

    public JsonField(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("a JSON field path must not be blank");
        }
        this.path = path.trim();
        this.parts = this.path.split("\\.");
    }

    /** The node at this path, or null when any part of the path is absent or JSON null. */
    public JsonNode find(JsonNode root) {
        JsonNode node = root;
        for (String part : parts) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(part);
        }
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }

    public String path() {
        return path;
    }

    @Override
    public String toString() {
        return path;
    }
}
