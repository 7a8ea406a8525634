package io.harvester.bench;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.http.JsonField;
import io.harvester.output.CsvFormat;
import io.harvester.support.OrderRecords;

/**
 * CSV rendering before and after Commons CSV, side by side in one JVM: the same records (the test
 * orders: quotes, commas, line breaks, unicode, formulas) rendered by the hand-written renderer and by
 * {@link CsvFormat}, alternating rounds, median of each. Prints a Markdown table with the ratio.
 */
public final class CsvRenderBenchmark {

    private static final int RECORDS = 100_000;
    private static final int ROUNDS = 9;

    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> records = new ArrayList<>(RECORDS);
        for (long id = 1; id <= RECORDS; id++) {
            records.add(json.valueToTree(OrderRecords.record(id)));
        }
        List<JsonField> columns = java.util.Arrays.stream(OrderRecords.HEADER.strip().split(",")).map(JsonField::new).toList();
        HandWrittenCsv before = new HandWrittenCsv(true);
        CsvFormat after = new CsvFormat(true);
        long[] beforeNanos = new long[ROUNDS];
        long[] afterNanos = new long[ROUNDS];
        long sink = 0;
        for (int warmup = 0; warmup < 3; warmup++) {
            sink += render(records, columns, before) + render(records, columns, after);
        }
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            sink += render(records, columns, before);
            long t1 = System.nanoTime();
            sink += render(records, columns, after);
            long t2 = System.nanoTime();
            beforeNanos[round] = t1 - t0;
            afterNanos[round] = t2 - t1;
        }
        double beforeRate = RECORDS / (median(beforeNanos) / 1e9);
        double afterRate = RECORDS / (median(afterNanos) / 1e9);
        System.out.println("| renderer | records/s (median of " + ROUNDS + ") | ratio to hand-written |");
        System.out.println("|---|---|---|");
        System.out.printf("| hand-written (before) | %,.0f | 1.00 |%n", beforeRate);
        System.out.printf("| Commons CSV (after) | %,.0f | %.2f |%n", afterRate, afterRate / beforeRate);
        System.err.println("checksum " + sink);
    }

    private static long render(List<JsonNode> records, List<JsonField> columns, Object renderer) {
        StringBuilder out = new StringBuilder(1 << 20);
        long length = 0;
        for (JsonNode record : records) {
            if (renderer instanceof HandWrittenCsv hand) {
                hand.row(record, columns, out);
            } else {
                ((CsvFormat) renderer).row(record, columns, out);
            }
            if (out.length() > (1 << 20)) {
                length += out.length();
                out.setLength(0);
            }
        }
        return length + out.length();
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
