package io.harvester.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An upstream whose records change between runs, as an incremental export sees it: {@code GET /changes?page=&size=}
 * with {@code updated_since} (inclusive) and {@code updated_before} (exclusive), ISO-8601 instants, answers
 * {@code {"total": n, "list": [{"id", "name", "updated_at"}]}} ordered by {@code updated_at}, then id. Records
 * 1..n start at {@link #BASE} plus their id in seconds; {@link #touch} moves some to a later time.
 */
public final class ChangeFeed implements AutoCloseable {

    public static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(16);
    private final long[] updatedAt;
    private final List<String> requestUris = Collections.synchronizedList(new ArrayList<>());
    private final java.util.Set<Integer> withoutUpdatedAt = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // ids ordered by (updated_at, id); rebuilt by touch
    private volatile int[] order;

    private ChangeFeed(int records) throws IOException {
        updatedAt = new long[records + 1];
        for (int id = 1; id <= records; id++) {
            updatedAt[id] = BASE.getEpochSecond() + id;
        }
        reorder();
        // the JDK server writes headers and body separately: Nagle would add ~40 ms to each keep-alive answer
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        server.setExecutor(threads);
        server.createContext("/changes", this::handle);
        server.start();
    }

    public static ChangeFeed start(int records) {
        try {
            return new ChangeFeed(records);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/changes";
    }

    /** Records {@code ids} change at {@code at}. */
    public synchronized void touch(Instant at, int... ids) {
        for (int id : ids) {
            updatedAt[id] = at.getEpochSecond();
        }
        reorder();
    }

    /** Records {@code ids} change one second apart from {@code from} on, as real updates spread over time. */
    public synchronized void touchSpread(Instant from, int... ids) {
        for (int i = 0; i < ids.length; i++) {
            updatedAt[ids[i]] = from.getEpochSecond() + i;
        }
        reorder();
    }

    /** Record {@code id} is served without its updated_at (false: with it again). */
    public void withoutUpdatedAt(int id, boolean without) {
        if (without) {
            withoutUpdatedAt.add(id);
        } else {
            withoutUpdatedAt.remove(id);
        }
    }

    /** Record {@code id}'s updated_at as the feed writes it. */
    public String updatedAt(int id) {
        return Instant.ofEpochSecond(updatedAt[id]).toString();
    }

    public List<String> requestUris() {
        synchronized (requestUris) {
            return List.copyOf(requestUris);
        }
    }

    public void resetRequests() {
        requestUris.clear();
    }

    /** The CSV an export with columns id,name,updated_at writes of these records, in the feed's order. */
    public String csv(int... ids) {
        StringBuilder csv = new StringBuilder("id,name,updated_at\r\n");
        for (int id : ids) {
            csv.append(id).append(",record-").append(id).append(',').append(updatedAt(id)).append("\r\n");
        }
        return csv.toString();
    }

    private void reorder() {
        Integer[] ids = new Integer[updatedAt.length - 1];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i + 1;
        }
        Arrays.sort(ids, (a, b) -> updatedAt[a] != updatedAt[b] ? Long.compare(updatedAt[a], updatedAt[b]) : Integer.compare(a, b));
        order = Arrays.stream(ids).mapToInt(Integer::intValue).toArray();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requestUris.add(exchange.getRequestURI().toString());
        Map<String, String> query = FakeUpstream.query(exchange.getRequestURI().getRawQuery());
        int[] ids = order;
        int from = query.containsKey("updated_since") ? firstAtOrAfter(ids, Instant.parse(query.get("updated_since"))) : 0;
        int to = query.containsKey("updated_before") ? firstAtOrAfter(ids, Instant.parse(query.get("updated_before"))) : ids.length;
        int size = Integer.parseInt(query.getOrDefault("size", "100"));
        int page = Integer.parseInt(query.getOrDefault("page", "1"));
        StringBuilder body = new StringBuilder("{\"total\":").append(Math.max(0, to - from)).append(",\"list\":[");
        int first = from + (page - 1) * size;
        for (int i = first; i < Math.min(to, first + size); i++) {
            int id = ids[i];
            body.append(i == first ? "" : ",").append("{\"id\":").append(id).append(",\"name\":\"record-").append(id).append('"');
            if (!withoutUpdatedAt.contains(id)) {
                body.append(",\"updated_at\":\"").append(updatedAt(id)).append('"');
            }
            body.append('}');
        }
        byte[] bytes = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private int firstAtOrAfter(int[] ids, Instant bound) {
        long second = bound.getEpochSecond();
        int low = 0;
        int high = ids.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (updatedAt[ids[mid]] < second) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
