package io.harvester.infra;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The readers of JSON whose numbers are values to pass on, never rounded through a double (a 17-digit epoch
 * keeps its last digit).
 */
public final class ExactJson {

    /** An API's answers: decimals keep the digits that were sent (37.00 stays 37.00 in the CSV, not 37 or 3.7E+1). */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    /**
     * A run's parameters and a watermark someone sets (the API, JMX): exact but without trailing zeros, so that
     * {@code "pageSize": 20.0} is the whole number 20 and a watermark of 1700000000.0 is sent on as 1700000000.
     */
    public static final ObjectMapper PARAMETERS = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private ExactJson() {
    }
}
