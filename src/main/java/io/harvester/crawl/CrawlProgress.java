package io.harvester.crawl;

import java.util.Map;

import io.harvester.runs.Counted;

/**
 * How far a crawl is, from its checkpoint's counts per level (found, done, failed). Nodes known grow as
 * the tree unfolds, so done over known says 20 % when a tenth of the levels' lookups are made and the
 * deeper levels are not found yet. The percent is done over an estimate of the whole tree instead: each
 * level's size is the level above it times the children per lookup seen so far there (the nearest level
 * above with lookups made, for a level that has none yet), and never less than what is known.
 */
record CrawlProgress(long known, long done, long failed, long estimated) {

    static CrawlProgress of(Map<Integer, int[]> counts, int depth) {
        long known = 0;
        long done = 0;
        long failed = 0;
        for (int[] c : counts.values()) {
            known += c[0];
            done += c[1];
            failed += c[2];
        }
        if (counts.isEmpty()) {
            return new CrawlProgress(0, 0, 0, 0);
        }
        int first = counts.keySet().stream().mapToInt(Integer::intValue).min().orElseThrow();
        double level = counts.get(first)[0];
        double estimated = level;
        double children = Double.NaN;
        for (int l = first; l < depth; l++) {
            int[] here = counts.getOrDefault(l, new int[3]);
            int[] below = counts.getOrDefault(l + 1, new int[3]);
            int lookedUp = here[1] + here[2];
            if (lookedUp > 0) {
                children = (double) below[0] / lookedUp;
            }
            level = Double.isNaN(children) ? below[0] : Math.max(below[0], children * level);
            estimated += level;
        }
        return new CrawlProgress(known, done, failed, Math.max(known, Math.round(estimated)));
    }

    /** Done over the estimated tree, 99 at most: a crawl is complete only once its file is published. */
    int percent() {
        // a failed lookup is settled work as much as a done one
        return estimated == 0 ? 0 : (int) Math.min(99, (done + failed) * 100 / estimated);
    }

    /** The run's end in words: "781 nodes", or "264 of 276 nodes, 12 lookups failed" when some are not done. */
    String summary() {
        String nodes = done + failed == known ? Counted.of(known, "node", "nodes")
                : String.format(java.util.Locale.ROOT, "%,d of %s", done, Counted.of(known, "node", "nodes"));
        return failed == 0 ? nodes : nodes + ", " + Counted.of(failed, "lookup", "lookups") + " failed";
    }
}
