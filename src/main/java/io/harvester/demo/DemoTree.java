package io.harvester.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dev profile's stand-in tree API: {@code GET /demo/api/tree} answers the level-1 categories,
 * {@code ?id=X&name=&type=} answers X's children, down to {@code depth} levels.
 */
public class DemoTree {

    private static final String[] TYPES = {"department", "category", "subcategory", "feature", "detail"};

    private int branching = 4;
    private int depth = 4;

    public void setBranching(int branching) {
        this.branching = branching;
    }

    public void setDepth(int depth) {
        this.depth = depth;
    }

    public Map<String, Object> children(String id) {
        int level = id == null || id.isBlank() ? 1 : id.split("\\.").length + 1;
        List<Map<String, Object>> list = new ArrayList<>();
        if (level <= depth) {
            for (int k = 1; k <= branching; k++) {
                String child = level == 1 ? String.valueOf(k) : id + "." + k;
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("id", child);
                item.put("name", TYPES[Math.min(level - 1, TYPES.length - 1)] + " " + child);
                item.put("type", TYPES[Math.min(level - 1, TYPES.length - 1)]);
                list.add(item);
            }
        }
        return Map.of("list", list);
    }
}
