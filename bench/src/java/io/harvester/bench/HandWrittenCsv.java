package io.harvester.bench;

import io.harvester.http.JsonField;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The hand-written RFC 4180 renderer Harvester used before Commons CSV, kept as the benchmark baseline.
 * <p>
 * Renders rows as RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF,
 * quotes doubled. Booleans print as {@code true}/{@code false}, null and absent fields as empty, nested
 * objects and arrays as their JSON text.
 * <p>
 * With {@code guardFormulas}, a text cell starting with {@code = + - @}, tab or CR gets a leading
 * {@code '} so spreadsheets show it instead of evaluating it. Only JSON strings are guarded: a JSON
 * number such as {@code -5} is data, not a formula.
 */
public final class HandWrittenCsv {

    private static final String LINE_END = "\r\n";

    private final boolean guardFormulas;

    public HandWrittenCsv(boolean guardFormulas) {
        this.guardFormulas = guardFormulas;
    }

    public void header(List<String> columns, StringBuilder out) {
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            appendField(columns.get(i), false, out);
        }
        out.append(LINE_END);
    }

    /** A row of plain text values (no formula guard: these are not upstream text). */
    public void values(List<String> values, StringBuilder out) {
        header(values, out);
    }

    public void row(JsonNode record, List<JsonField> columns, StringBuilder out) {
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            JsonNode value = columns.get(i).find(record);
            if (value == null) {
                continue;
            }
            if (value.isTextual()) {
                appendField(value.textValue(), guardFormulas, out);
            } else if (value.isValueNode()) {
                appendField(value.asText(), false, out);
            } else {
                appendField(value.toString(), false, out);
            }
        }
        out.append(LINE_END);
    }

    private static void appendField(String text, boolean guard, StringBuilder out) {
        String value = guard && startsLikeFormula(text) ? "'" + text : text;
        if (needsQuotes(value)) {
            out.append('"').append(value.replace("\"", "\"\"")).append('"');
        } else {
            out.append(value);
        }
    }

    private static boolean startsLikeFormula(String text) {
        if (text.isEmpty()) {
            return false;
        }
        char c = text.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
    }

    private static boolean needsQuotes(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '"' || c == '\r' || c == '\n') {
                return true;
            }
        }
        return false;
    }
}
