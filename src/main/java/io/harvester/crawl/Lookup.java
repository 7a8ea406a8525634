package io.harvester.crawl;

/**
 * One call of the tree API: the root call (no parent) or a node's lookup of its children.
 *
 * @param level  level of the items it returns: 1 for the root call, parent level + 1 otherwise
 * @param parent the node whose children are asked for; null for the root call
 */
public record Lookup(int level, CrawlNode parent) {

    static Lookup root() {
        return new Lookup(1, null);
    }

    static Lookup of(CrawlNode parent) {
        return new Lookup(parent.level() + 1, parent);
    }

    String label() {
        return parent == null ? "root call" : "node " + parent.id() + " (level " + parent.level() + ", path " + parent.path() + ")";
    }
}
