package io.harvester.infra;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The one reader of JSON whose numbers are values to pass on (an API's answers, a run's parameters, a
 * watermark): decimals keep the digits that were sent (37.00 stays 37.00, not 37 or 3.7E+1; a 17-digit
 * epoch keeps its last digit), where a double would round them.
 */
public final class ExactJson {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private ExactJson() {
    }
}
