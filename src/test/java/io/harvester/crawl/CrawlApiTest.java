package io.harvester.crawl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.http.AnswerFormatException;
import org.junit.jupiter.api.Test;

/** The tree API's URLs and the children an answer holds. */
class CrawlApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static CrawlApi api() {
        CrawlApi api = new CrawlApi();
        api.setUrl("https://api.example.com/v1/features?lang=en");
        api.setRootParams("market=US");
        api.setListField("data.items");
        return api;
    }

    @Test
    void should_call_the_root_with_its_params_and_a_node_with_its_id_name_and_type_encoded() {
        CrawlNode shoes = new CrawlNode("000002", 1, "7", "Shoes & Boots", "category", null, "7");

        assertThat(api().urlFor(Lookup.root())).isEqualTo("https://api.example.com/v1/features?lang=en&market=US");
        assertThat(api().urlFor(Lookup.of(shoes)))
                .isEqualTo("https://api.example.com/v1/features?lang=en&id=7&name=Shoes+%26+Boots&type=category");
    }

    @Test
    void should_key_children_for_depth_first_order_and_carry_their_path() throws Exception {
        CrawlNode shoes = new CrawlNode("000002", 1, "7", "Shoes", "category", null, "7");

        List<CrawlNode> children = api().children(Lookup.of(shoes), JSON.readTree(
                "{\"data\": {\"items\": [{\"id\": 70, \"name\": \"Boots\"}, {\"id\": \"71\", \"type\": null}]}}"));

        assertThat(children).containsExactly(
                new CrawlNode("000002.000001", 2, "70", "Boots", null, "7", "7/70"),
                new CrawlNode("000002.000002", 2, "71", null, null, "7", "7/71"));
    }

    @Test
    void should_name_a_missing_list_and_an_item_without_an_id() {
        assertThatThrownBy(() -> api().children(Lookup.root(), JSON.readTree("{\"items\": []}")))
                .isInstanceOf(AnswerFormatException.class).hasMessage("field 'data.items' (listField) is missing");
        assertThatThrownBy(() -> api().children(Lookup.root(), JSON.readTree("{\"data\": {\"items\": [{\"id\": 1}, {}]}}")))
                .isInstanceOf(AnswerFormatException.class).hasMessage("item 2 has no 'id'");
    }
}
