package io.harvester.crawl;

/**
 * A node of the tree: found by its parent's lookup (level 1 by the root call).
 *
 * @param key      sibling positions from the root, zero-padded and dot-joined; sorting by it is depth-first API order
 * @param level    1 for the root call's items
 * @param parentId null on level 1
 * @param path     ids from the root joined by '/'
 */
public record CrawlNode(String key, int level, String id, String name, String type, String parentId, String path) {

    static String childKey(String parentKey, int position) {
        // six digits, zero-padded, so keys sort in API order; String.format cost 6 % of a crawl's CPU
        String digits = Integer.toString(position);
        String own = digits.length() >= 6 ? digits : "000000".substring(digits.length()) + digits;
        return parentKey == null || parentKey.isEmpty() ? own : parentKey + "." + own;
    }
}
