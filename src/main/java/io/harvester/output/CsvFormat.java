package io.harvester.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.harvester.http.JsonField;
import org.apache.commons.csv.CSVFormat;

/**
 * Renders rows as RFC 4180 CSV through Apache Commons CSV (the library camel-csv wraps): CRLF line
 * ends, fields quoted when they need it, quotes doubled. Booleans print as {@code true}/{@code false},
 * null and absent fields as empty, nested objects and arrays as their JSON text.
 * <p>
 * With {@code guardFormulas}, a text cell starting with {@code = + - @}, tab or CR gets a leading
 * {@code '} so spreadsheets show it instead of evaluating it. Only JSON strings are guarded: a JSON
 * number such as {@code -5} is data, not a formula.
 */
public final class CsvFormat {

    private static final CSVFormat RFC4180 = CSVFormat.RFC4180;

    private final boolean guardFormulas;

    public CsvFormat(boolean guardFormulas) {
        this.guardFormulas = guardFormulas;
    }

    public void header(List<String> columns, StringBuilder out) {
        print(out, columns.toArray());
    }

    /** A row of plain text values (no formula guard: these are not upstream text). */
    public void values(List<String> values, StringBuilder out) {
        print(out, values.toArray());
    }

    public void row(JsonNode record, List<JsonField> columns, StringBuilder out) {
        Object[] cells = new Object[columns.size()];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = cell(columns.get(i).find(record));
        }
        print(out, cells);
    }

    private String cell(JsonNode value) {
        if (value == null) {
            return "";
        }
        if (value.isTextual()) {
            return guardFormulas ? guarded(value.textValue()) : value.textValue();
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }

    /** The formula guard, a transform of the value before Commons CSV quotes it. */
    static String guarded(String text) {
        if (text.isEmpty()) {
            return text;
        }
        char c = text.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + text : text;
    }

    private static void print(StringBuilder out, Object... cells) {
        try {
            RFC4180.printRecord(out, cells);
        } catch (IOException cannotHappen) {
            // a StringBuilder does not throw
            throw new UncheckedIOException(cannotHappen);
        }
    }
}
