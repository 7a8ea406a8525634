package io.harvester.runs;

import java.util.Locale;

/** A count in words for people: "2,500 rows", "1 page". */
public final class Counted {

    private Counted() {
    }

    public static String of(long count, String one, String many) {
        return String.format(Locale.ROOT, "%,d %s", count, count == 1 ? one : many);
    }
}
