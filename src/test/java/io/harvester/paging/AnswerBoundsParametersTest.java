package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A bound on answers that makes no sense stops start-up, naming the pipeline, the parameter and the value. */
class AnswerBoundsParametersTest {

    private static PagedExport export() {
        PagedExport export = new PagedExport();
        export.setName("orders");
        export.setUrl("http://upstream/orders");
        return export;
    }

    @Test
    void should_refuse_a_max_response_bytes_below_one() {
        PagedExport export = export();
        export.setMaxResponseBytes(0);

        assertThatThrownBy(export::init).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("export:orders: maxResponseBytes must be at least 1, was 0");
    }

    @Test
    void should_refuse_a_negative_max_answer_ms() {
        PagedExport export = export();
        export.setMaxAnswerMs(-1);

        assertThatThrownBy(export::init).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("export:orders: maxAnswerMs must be 0 (no limit) or more, was -1");
    }
}
