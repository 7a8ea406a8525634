package io.harvester.crawl;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.harvester.http.AnswerFormatException;
import io.harvester.http.JsonField;
import io.harvester.http.QueryStrings;

/**
 * The tree API as a crawl sees it: which URL a lookup calls and which children an answer holds. Items
 * carry their id, name and type in fields named like the three query parameters.
 */
public final class CrawlApi {

    private String url;
    private String idParam = "id";
    private String nameParam = "name";
    private String typeParam = "type";
    private JsonField listField = new JsonField("list");
    private String rootParams = "";

    /** The root call is the URL alone (plus rootParams); a node's lookup adds its id, name and type. */
    String urlFor(Lookup lookup) {
        if (lookup.parent() == null) {
            return rootParams.isBlank() ? url : url + (url.contains("?") ? '&' : '?') + rootParams.strip();
        }
        CrawlNode node = lookup.parent();
        return query(query(query(url, idParam, node.id()), nameParam, node.name()), typeParam, node.type());
    }

    private static String query(String base, String param, String value) {
        return value == null ? base : QueryStrings.append(base, param, value);
    }

    /** The children a lookup's answer holds, in API order, keyed for depth-first order. */
    List<CrawlNode> children(Lookup lookup, JsonNode answer) {
        JsonNode list = listField.find(answer);
        if (list == null || !list.isArray()) {
            throw new AnswerFormatException("field '" + listField + "' (listField) is " + (list == null ? "missing" : "not a list"));
        }
        List<CrawlNode> children = new ArrayList<>(list.size());
        CrawlNode parent = lookup.parent();
        int position = 0;
        for (JsonNode item : list) {
            position++;
            String id = text(item, idParam);
            if (id == null) {
                throw new AnswerFormatException("item " + position + " has no '" + idParam + "'");
            }
            children.add(new CrawlNode(CrawlNode.childKey(parent == null ? "" : parent.key(), position), lookup.level(), id,
                    text(item, nameParam), text(item, typeParam), parent == null ? null : parent.id(),
                    parent == null ? id : parent.path() + "/" + id));
        }
        return children;
    }

    private static String text(JsonNode item, String field) {
        JsonNode value = item.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    String url() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public void setIdParam(String idParam) {
        this.idParam = idParam;
    }

    public void setNameParam(String nameParam) {
        this.nameParam = nameParam;
    }

    public void setTypeParam(String typeParam) {
        this.typeParam = typeParam;
    }

    public void setListField(String listField) {
        this.listField = new JsonField(listField);
    }

    public void setRootParams(String rootParams) {
        this.rootParams = rootParams == null ? "" : rootParams;
    }
}
