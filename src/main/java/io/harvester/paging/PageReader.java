package io.harvester.paging;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.harvester.http.AnswerFormatException;
import io.harvester.http.JsonField;

/**
 * Reads a page of an export: each record of the list is handed on as soon as it is read, so that a page is never held
 * whole as a tree (a thousand records made a tree of about a megabyte, ten pages of it in flight: most of a 64 MB
 * heap). What comes back is the rest of the answer, its list emptied, for the pagination's total or cursor. A list
 * path with a numeric part (an index), or a pagination field inside the list, is read as one tree as before.
 */
final class PageReader {

    /** Takes the records in the order the API sent them. */
    @FunctionalInterface
    interface Records {
        void record(ObjectNode record) throws IOException;
    }

    private final ObjectMapper json;
    private final JsonField listField;
    private final List<String> listPath;
    private final boolean streamed;

    /** {@code fieldsAfter} are the pagination's own fields (total, cursor), read from what comes back. */
    PageReader(ObjectMapper json, JsonField listField, List<JsonField> fieldsAfter) {
        this.json = json;
        this.listField = listField;
        this.listPath = List.of(listField.path().split("\\."));
        boolean indexed = listPath.stream().anyMatch(part -> part.chars().allMatch(Character::isDigit));
        boolean insideList = fieldsAfter.stream().anyMatch(f -> f != null && f.path().startsWith(listField.path() + "."));
        this.streamed = !indexed && !insideList;
    }

    /** Reads {@code body}, handing every record to {@code records}; returns the answer with its list emptied. */
    JsonNode read(InputStream body, Records records) throws IOException {
        if (body == null) {
            throw new AnswerFormatException("response has no body");
        }
        try (InputStream in = body; JsonParser parser = json.createParser(in)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new AnswerFormatException("response body is empty");
            }
            if (!streamed || first != JsonToken.START_OBJECT) {
                JsonNode root = json.readTree(parser);
                JsonNode list = checkedList(listField.find(root));
                for (JsonNode record : list) {
                    records.record(checkedRecord(record));
                }
                return root;
            }
            Found found = new Found();
            ObjectNode root = readObject(parser, 0, records, found);
            if (!found.list) {
                throw missing();
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new AnswerFormatException("response is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static final class Found {
        boolean list;
    }

    /** An object whose fields are read as trees, except the one on the list's path ({@code depth} parts in). */
    private ObjectNode readObject(JsonParser parser, int depth, Records records, Found found) throws IOException {
        ObjectNode object = json.getNodeFactory().objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (!name.equals(listPath.get(depth))) {
                object.set(name, json.readTree(parser));
            } else if (depth == listPath.size() - 1) {
                if (found.list) {
                    throw new AnswerFormatException("field '" + listField + "' (listField) appears twice");
                }
                found.list = true;
                if (value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        records.record(checkedRecord(json.readTree(parser)));
                    }
                    object.set(name, json.getNodeFactory().arrayNode());
                } else {
                    // null, or not a list: named as the tree reading names it
                    checkedList(value == JsonToken.VALUE_NULL ? null : json.readTree(parser));
                }
            } else if (value == JsonToken.START_OBJECT) {
                object.set(name, readObject(parser, depth + 1, records, found));
            } else {
                object.set(name, json.readTree(parser));
            }
        }
        return object;
    }

    private JsonNode checkedList(JsonNode list) {
        if (list == null || list.isNull()) {
            throw missing();
        }
        if (!list.isArray()) {
            throw new AnswerFormatException("field '" + listField + "' (listField) is not a list but " + list.getNodeType());
        }
        return list;
    }

    private ObjectNode checkedRecord(JsonNode record) {
        if (!record.isObject()) {
            throw new AnswerFormatException("records in '" + listField + "' (listField) are not objects: found "
                    + record.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        return (ObjectNode) record;
    }

    private AnswerFormatException missing() {
        return new AnswerFormatException("field '" + listField + "' (listField) is missing");
    }
}
