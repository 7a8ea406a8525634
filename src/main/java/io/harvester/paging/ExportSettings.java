package io.harvester.paging;

import java.util.List;
import java.util.Map;

/**
 * The parameters of an export that a run reads when it starts, checked together: the template's values, or a run's
 * own where the export lets a start override them ({@code overridable}, e.g. a backfill with another URL).
 */
record ExportSettings(String url, int pageSize, int concurrency, double ratePerSecond, int maxPages, boolean strictTotal) {

    /** The parameters a start may override, when the export names them in {@code overridable}. */
    static final List<String> OVERRIDABLE = List.of("url", "pageSize", "concurrency", "ratePerSecond", "maxPages", "strictTotal");

    /** Refuses a bad value, naming the export and the parameter. */
    ExportSettings checked(String pipeline) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(pipeline + ": url must be given");
        }
        positive(pipeline, "pageSize", pageSize);
        positive(pipeline, "concurrency", concurrency);
        positive(pipeline, "maxPages", maxPages);
        if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException(pipeline + ": ratePerSecond must be 0 (no limit) or more, was " + ratePerSecond);
        }
        return this;
    }

    private static void positive(String pipeline, String parameter, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(pipeline + ": " + parameter + " must be at least 1, was " + value);
        }
    }

    /** These settings with a run's own values ({@link #OVERRIDABLE} names only), checked. */
    ExportSettings with(Map<String, String> given, String pipeline) {
        String url = this.url;
        int pageSize = this.pageSize;
        int concurrency = this.concurrency;
        double ratePerSecond = this.ratePerSecond;
        int maxPages = this.maxPages;
        boolean strictTotal = this.strictTotal;
        for (Map.Entry<String, String> param : given.entrySet()) {
            String value = param.getValue();
            try {
                switch (param.getKey()) {
                    case "url" -> url = value;
                    case "pageSize" -> pageSize = Integer.parseInt(value);
                    case "concurrency" -> concurrency = Integer.parseInt(value);
                    case "ratePerSecond" -> ratePerSecond = Double.parseDouble(value);
                    case "maxPages" -> maxPages = Integer.parseInt(value);
                    case "strictTotal" -> strictTotal = bool(pipeline, value);
                    default -> {
                        // not a setting: a window bound (from, to)
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(pipeline + ": " + param.getKey() + " must be a number, was '" + value + "'");
            }
        }
        return new ExportSettings(url, pageSize, concurrency, ratePerSecond, maxPages, strictTotal).checked(pipeline);
    }

    private static boolean bool(String pipeline, String value) {
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(pipeline + ": strictTotal must be true or false, was '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }
}
