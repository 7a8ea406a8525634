package io.harvester.support;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Generated upstream records whose CSV form is known by construction: every text field needs
 * quoting (a comma, a quote or a line break) and carries non-ASCII text; booleans, decimals and
 * nulls take turns.
 */
public final class OrderRecords {

    public static final String HEADER = "id,customer,note,amount,express,coupon\r\n";

    private OrderRecords() {
    }

    public static Map<String, Object> record(long id) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("customer", "Müller, Zoë #" + id);
        r.put("note", id % 10 == 0 ? "two\nlines " + id : "said \"ok\" ✓ " + id);
        r.put("amount", BigDecimal.valueOf(id * 37, 2));
        r.put("express", id % 2 == 0);
        r.put("coupon", id % 3 == 0 ? null : "=SUM(A" + id + ")");
        return r;
    }

    /** The CSV line of a record as RFC 4180 spells it, written out by hand. */
    public static String csvLine(long id) {
        String note = id % 10 == 0 ? "\"two\nlines " + id + "\"" : "\"said \"\"ok\"\" ✓ " + id + "\"";
        String coupon = id % 3 == 0 ? "" : "=SUM(A" + id + ")";
        return id + ",\"Müller, Zoë #" + id + "\"," + note + "," + BigDecimal.valueOf(id * 37, 2) + ","
                + (id % 2 == 0) + "," + coupon + "\r\n";
    }

    public static String csv(long total) {
        StringBuilder sb = new StringBuilder(HEADER);
        for (long id = 1; id <= total; id++) {
            sb.append(csvLine(id));
        }
        return sb.toString();
    }
}
