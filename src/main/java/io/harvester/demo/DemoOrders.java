package io.harvester.demo;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dev profile's stand-in upstream: {@code GET /demo/api/orders?page=&size=} answers
 * {@code {"total": N, "list": [...]}} with deterministic orders, so the shipped demo export has a
 * real API to page through on a bare machine.
 */
public class DemoOrders {

    private static final String[] CUSTOMERS = {"Ada Lovelace", "Grace Hopper", "Alan Turing", "Zoë \"Z\" Müller",
        "Chen, Wei", "Олег Петров"};
    private static final String[] STATUSES = {"new", "paid", "shipped", "delivered"};

    private int total = 2500;

    public void setTotal(int total) {
        this.total = total;
    }

    public Map<String, Object> page(Integer page, Integer size) {
        int p = page == null ? 1 : Math.max(1, page);
        int s = size == null ? 100 : Math.max(1, Math.min(size, 5000));
        List<Map<String, Object>> list = new ArrayList<>();
        for (long id = (long) (p - 1) * s + 1; id <= Math.min((long) p * s, total); id++) {
            list.add(order(id));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("total", total);
        answer.put("list", list);
        return answer;
    }

    static Map<String, Object> order(long id) {
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("id", id);
        order.put("customer", CUSTOMERS[(int) (id % CUSTOMERS.length)]);
        order.put("amount", BigDecimal.valueOf(id * 137 % 100_000, 2));
        order.put("status", STATUSES[(int) (id % STATUSES.length)]);
        order.put("express", id % 3 == 0);
        order.put("note", id % 5 == 0 ? null : "order " + id);
        return order;
    }
}
