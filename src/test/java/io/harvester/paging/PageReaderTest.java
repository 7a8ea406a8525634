package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import io.harvester.http.AnswerFormatException;
import io.harvester.http.JsonField;

/** Records come out in order as they are read; the rest of the answer comes back; bad answers are named as before. */
class PageReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void recordsAreHandedOnInOrderAndTheRestComesBackWithTheListEmptied() throws IOException {
        List<String> ids = new ArrayList<>();
        JsonNode rest = reader("data.list", "total").read(body("""
                {"meta": {"page": 2}, "data": {"total": 3, "list": [{"id": "a"}, {"id": "b", "x": [1, 2]}, {"id": "c"}], "next": "n"}}"""),
                record -> ids.add(record.path("id").asText()));
        assertThat(ids).containsExactly("a", "b", "c");
        assertThat(rest.toString()).isEqualTo("{\"meta\":{\"page\":2},\"data\":{\"total\":3,\"list\":[],\"next\":\"n\"}}");
    }

    @Test
    void aPaginationFieldInsideTheListOrAnIndexedPathReadsTheWholeTree() throws IOException {
        List<String> ids = new ArrayList<>();
        JsonNode rest = reader("list", "list.1.id").read(body("{\"list\": [{\"id\": \"a\"}, {\"id\": \"b\"}]}"),
                record -> ids.add(record.path("id").asText()));
        assertThat(ids).containsExactly("a", "b");
        assertThat(new JsonField("list.1.id").find(rest).asText()).isEqualTo("b");
        ids.clear();
        reader("pages.0.list", "total").read(body("{\"pages\": [{\"list\": [{\"id\": \"z\"}]}]}"), record -> ids.add(record.path("id").asText()));
        assertThat(ids).containsExactly("z");
    }

    @Test
    void badAnswersAreNamedAsTheTreeReadingNamedThem() {
        assertThatThrownBy(() -> read("list", "{\"items\": []}")).isInstanceOf(AnswerFormatException.class)
                .hasMessage("field 'list' (listField) is missing");
        assertThatThrownBy(() -> read("list", "{\"list\": null}")).hasMessage("field 'list' (listField) is missing");
        assertThatThrownBy(() -> read("data.list", "{\"data\": null}")).hasMessage("field 'data.list' (listField) is missing");
        assertThatThrownBy(() -> read("list", "{\"list\": {\"a\": 1}}")).hasMessage("field 'list' (listField) is not a list but OBJECT");
        assertThatThrownBy(() -> read("list", "{\"list\": [{\"id\": 1}, \"x\"]}"))
                .hasMessage("records in 'list' (listField) are not objects: found string");
        assertThatThrownBy(() -> read("list", "{\"list\": [], \"list\": []}")).hasMessage("field 'list' (listField) appears twice");
        assertThatThrownBy(() -> read("list", "")).hasMessage("response body is empty");
        assertThatThrownBy(() -> read("list", "{\"list\": [{\"id\": 1}")).hasMessageStartingWith("response is not valid JSON: ");
        assertThatThrownBy(() -> new PageReader(JSON, new JsonField("list"), List.of()).read(null, r -> { }))
                .hasMessage("response has no body");
    }

    private static void read(String listField, String answer) throws IOException {
        reader(listField, "total").read(body(answer), record -> { });
    }

    private static PageReader reader(String listField, String totalField) {
        return new PageReader(JSON, new JsonField(listField), List.of(new JsonField(totalField)));
    }

    private static ByteArrayInputStream body(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
