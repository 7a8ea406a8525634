package io.harvester.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The outside world for tests and benchmarks: a local HTTP API that pages through generated records
 * and counts what it was asked, how often and how many requests were in flight at once.
 * <ul>
 * <li>{@code /orders?page=&size=}: {@code {"total": N, "list": [...]}} (page numbers from 1)</li>
 * <li>{@code /nested/orders?page=&size=}: {@code {"data": {"total": "N", "list": [...]}}}, total as a string</li>
 * <li>{@code /cursor?cursor=}: {@code {"items": [...], "next": "<cursor>"}}, cursor = first id of the next page</li>
 * <li>{@code /links?after=}: {@code {"items": [...], "links": {"next": "/links?after=<id>"}}}</li>
 * <li>{@code /offset?offset=&limit=}: {@code {"total": N, "list": [...]}}, offsets from 0; {@code /offset-open}: the same
 * without the total</li>
 * <li>{@code /hook}: a webhook: every request's body is kept ({@link #hookBodies()}); answers 200, or the
 * {@link #always} answer, once the {@link #gate} (if any) opens</li>
 * <li>{@code /tree[?id=&name=&type=]}: {@code {"list": [{"id", "name", "type"}...]}}, a tree of the configured
 * branching and depth: the root call answers ids {@code 1..B}, node {@code X} answers {@code X-1..X-B}</li>
 * </ul>
 * Scripted answers for a page (by its {@code page} parameter, or 1 + the page position for cursor APIs)
 * are served first, in order (streamed ones before the others); then the normal answer.
 */
public final class FakeUpstream implements AutoCloseable {

    /** An answer to serve instead of the normal one. */
    public record Answer(int status, String body, Map<String, String> headers) {
        public static Answer status(int status) {
            return new Answer(status, "{\"error\":\"scripted " + status + "\"}", Map.of());
        }

        public static Answer body(String body) {
            return new Answer(200, body, Map.of());
        }
    }

    /**
     * Writes an answer's body as it goes, never holding it whole: a page of 100 MB, an upstream that
     * trickles or falls silent. An {@link IOException} from the body means the client hung up.
     */
    @FunctionalInterface
    public interface BodyWriter {
        void write(OutputStream body) throws IOException, InterruptedException;
    }

    private record Streamed(long contentLength, BodyWriter writer) {
    }

    /** Names the fake's own threads, so tests can count Harvester's threads without them. */
    public static final String THREAD_PREFIX = "fake-upstream-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private static final AtomicInteger THREADS = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(
            r -> new Thread(r, THREAD_PREFIX + THREADS.incrementAndGet()));
    private final Map<Integer, Deque<Answer>> scripts = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> requestsPerPage = new ConcurrentHashMap<>();
    private final Map<Integer, List<Long>> requestTimes = new ConcurrentHashMap<>();
    private final List<Map<String, String>> requestHeaders = Collections.synchronizedList(new ArrayList<>());
    private final List<String> requestUris = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile long total = 1000;
    private volatile long latencyMs;
    private volatile java.util.concurrent.CountDownLatch gate;
    private volatile Answer always;
    private volatile int branching = 5;
    private volatile int depth = 4;
    private final Map<String, Deque<Answer>> treeScripts = new ConcurrentHashMap<>();
    private final Map<String, Long> treeLatency = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> treeRequests = new ConcurrentHashMap<>();
    /** Tree lookups by the value of their X-Instance header (a daemon's route names itself so). */
    private final Map<String, AtomicInteger> treeRequestsBy = new ConcurrentHashMap<>();
    private final Map<String, Long> treeStarts = new ConcurrentHashMap<>();
    private final Map<String, Long> treeEnds = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicIntegerArray inFlightByLevel = new java.util.concurrent.atomic.AtomicIntegerArray(16);
    private final java.util.concurrent.atomic.AtomicIntegerArray maxByLevel = new java.util.concurrent.atomic.AtomicIntegerArray(16);
    private final List<Long> treeRequestTimes = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean cacheAnswers;
    private final Map<Integer, Deque<Streamed>> streams = new ConcurrentHashMap<>();
    private final AtomicInteger streamsCut = new AtomicInteger();
    private final Map<String, byte[]> answers = new ConcurrentHashMap<>();
    private final List<String> hookBodies = Collections.synchronizedList(new ArrayList<>());
    private final List<Map<String, String>> hookHeaders = Collections.synchronizedList(new ArrayList<>());

    private FakeUpstream() throws IOException {
        // the JDK server writes headers and body separately; with Nagle on, the client's delayed ACK
        // adds ~40 ms to every answer, which would be charged to whoever is measured against it
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeUpstream start() {
        try {
            return new FakeUpstream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public FakeUpstream total(long total) {
        this.total = total;
        return this;
    }

    /**
     * Holds every page request, once recorded, until the gate opens (at most 30 s), so a test can keep a
     * run in progress exactly as long as it needs; null lets them through again.
     */
    public FakeUpstream gate(java.util.concurrent.CountDownLatch gate) {
        this.gate = gate;
        return this;
    }

    public FakeUpstream latencyMs(long latencyMs) {
        this.latencyMs = latencyMs;
        return this;
    }

    /**
     * Builds each normal answer once and serves the bytes after that, so a benchmark measures the
     * client and not the JSON generation of the fake running on the same cores.
     */
    public FakeUpstream cacheAnswers(boolean cache) {
        this.cacheAnswers = cache;
        return this;
    }

    /** Serves these answers, in order, to the next requests for a page. */
    public FakeUpstream script(int page, Answer... answers) {
        scripts.computeIfAbsent(page, p -> new ConcurrentLinkedDeque<>()).addAll(List.of(answers));
        return this;
    }

    /**
     * Serves the next request for a page with a 200 whose body {@code writer} writes as it goes;
     * {@code contentLength} is announced, or 0 sends the body chunked (no length known up front).
     */
    public FakeUpstream stream(int page, long contentLength, BodyWriter writer) {
        streams.computeIfAbsent(page, p -> new ConcurrentLinkedDeque<>()).add(new Streamed(contentLength, writer));
        return this;
    }

    /** Streamed answers the client hung up on before their end. */
    public int streamsCut() {
        return streamsCut.get();
    }

    /** Serves this answer to every request (an upstream that is down or broken). */
    public FakeUpstream always(Answer answer) {
        this.always = answer;
        return this;
    }

    public FakeUpstream tree(int branching, int depth) {
        this.branching = branching;
        this.depth = depth;
        return this;
    }

    /** Serves these answers, in order, to the next lookups of a tree node ("" is the root call). */
    public FakeUpstream scriptNode(String id, Answer... answers) {
        treeScripts.computeIfAbsent(id, k -> new ConcurrentLinkedDeque<>()).addAll(List.of(answers));
        return this;
    }

    /** Answers lookups of this node only after this long. */
    public FakeUpstream nodeLatencyMs(String id, long millis) {
        treeLatency.put(id, millis);
        return this;
    }

    /** Lookups of a tree node so far ("" is the root call). */
    public int lookups(String id) {
        AtomicInteger n = treeRequests.get(id);
        return n == null ? 0 : n.get();
    }

    /** Every node looked up at least once, with how often. */
    public Map<String, Integer> lookupCounts() {
        Map<String, Integer> counts = new HashMap<>();
        treeRequests.forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }

    /** When the first lookup of a node arrived and when its last answer left (nanoTime). */
    public long lookupStart(String id) {
        return treeStarts.getOrDefault(id, Long.MAX_VALUE);
    }

    public long lookupEnd(String id) {
        return treeEnds.getOrDefault(id, Long.MIN_VALUE);
    }

    /** Tree lookups by the X-Instance header they carried ("" for none). */
    public Map<String, Integer> lookupsBy() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        treeRequestsBy.forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }

    /** Most lookups returning level {@code level} (1 = the root call) in flight at once. */
    public int maxInFlight(int level) {
        return maxByLevel.get(level);
    }

    /** Arrival times (nanoTime) of every tree lookup. */
    public List<Long> lookupTimes() {
        synchronized (treeRequestTimes) {
            return new ArrayList<>(treeRequestTimes);
        }
    }

    public int requests() {
        return requests.get();
    }

    public int requests(int page) {
        AtomicInteger n = requestsPerPage.get(page);
        return n == null ? 0 : n.get();
    }

    /** Arrival times (nanoTime) of the requests for a page. */
    public List<Long> requestTimes(int page) {
        return requestTimes.getOrDefault(page, List.of());
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** Path and query of every request to the paged APIs, in arrival order. */
    public List<String> requestUris() {
        synchronized (requestUris) {
            return List.copyOf(requestUris);
        }
    }

    public List<Map<String, String>> requestHeaders() {
        synchronized (requestHeaders) {
            return new ArrayList<>(requestHeaders);
        }
    }

    public void resetCounters() {
        requestUris.clear();
        treeRequests.clear();
        treeRequestsBy.clear();
        treeStarts.clear();
        treeEnds.clear();
        treeRequestTimes.clear();
        for (int i = 0; i < maxByLevel.length(); i++) {
            maxByLevel.set(i, 0);
        }
        requests.set(0);
        maxInFlight.set(0);
        requestsPerPage.clear();
        requestTimes.clear();
        requestHeaders.clear();
        streamsCut.set(0);
    }

    /**
     * Ends a request's in-flight count once, just before its answer is written: counting until after the
     * write would overlap the client's next request, which it may send the moment the answer arrives.
     */
    private static final class Leave implements Runnable {
        private final Runnable onLeave;
        private boolean left;

        Leave(Runnable onLeave) {
            this.onLeave = onLeave;
        }

        @Override
        public synchronized void run() {
            if (!left) {
                left = true;
                onLeave.run();
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        requests.incrementAndGet();
        Leave leave = new Leave(inFlight::decrementAndGet);
        try {
            URI uri = exchange.getRequestURI();
            Map<String, String> query = query(uri.getRawQuery());
            String path = uri.getPath();
            if (path.equals("/tree")) {
                handleTree(exchange, query.getOrDefault("id", ""), leave);
                return;
            }
            if (path.equals("/hook")) {
                handleHook(exchange, leave);
                return;
            }
            int page = pageOf(path, query);
            requestsPerPage.computeIfAbsent(page, p -> new AtomicInteger()).incrementAndGet();
            requestTimes.computeIfAbsent(page, p -> Collections.synchronizedList(new ArrayList<>())).add(System.nanoTime());
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            requestHeaders.add(headers);
            requestUris.add(uri.toString());
            java.util.concurrent.CountDownLatch held = gate;
            if (held != null) {
                held.await(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            if (latencyMs > 0) {
                Thread.sleep(latencyMs);
            }
            Deque<Streamed> streamed = streams.get(page);
            Streamed stream = streamed == null ? null : streamed.pollFirst();
            if (stream != null) {
                leave.run();
                stream(exchange, stream);
                return;
            }
            Answer scripted = always != null ? always : next(page);
            leave.run();
            if (scripted != null) {
                respond(exchange, scripted.status(), scripted.body().getBytes(StandardCharsets.UTF_8), scripted.headers());
            } else {
                byte[] body = cacheAnswers
                        ? answers.computeIfAbsent(uri.toString(), u -> json(normalAnswer(path, query)))
                        : json(normalAnswer(path, query));
                respond(exchange, 200, body, Map.of());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientWentAway) {
            // a client that timed out closed the connection; nothing to answer
        } finally {
            leave.run();
            exchange.close();
        }
    }

    /** A webhook's request: its body and headers kept, in arrival order. */
    private void handleHook(HttpExchange exchange, Leave leave) throws IOException, InterruptedException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        synchronized (hookBodies) {
            hookBodies.add(body);
            hookHeaders.add(headers);
        }
        java.util.concurrent.CountDownLatch held = gate;
        if (held != null) {
            held.await(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        Answer answer = always;
        leave.run();
        respond(exchange, answer == null ? 200 : answer.status(), (answer == null ? "ok" : answer.body())
                .getBytes(StandardCharsets.UTF_8), answer == null ? Map.of() : answer.headers());
    }

    /** The bodies of the requests to {@code /hook}, in arrival order. */
    public List<String> hookBodies() {
        synchronized (hookBodies) {
            return List.copyOf(hookBodies);
        }
    }

    /** The headers (names in lower case) of the requests to {@code /hook}, in arrival order. */
    public List<Map<String, String>> hookHeaders() {
        synchronized (hookBodies) {
            return List.copyOf(hookHeaders);
        }
    }

    private void handleTree(HttpExchange exchange, String id, Leave request) throws IOException, InterruptedException {
        int level = id.isEmpty() ? 1 : id.split("-").length + 1;
        int now = inFlightByLevel.incrementAndGet(level);
        maxByLevel.accumulateAndGet(level, now, Math::max);
        Leave leave = new Leave(() -> {
            inFlightByLevel.decrementAndGet(level);
            request.run();
        });
        try {
            treeRequests.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            String by = exchange.getRequestHeaders().getFirst("X-Instance");
            treeRequestsBy.computeIfAbsent(by == null ? "" : by, k -> new AtomicInteger()).incrementAndGet();
            long arrived = System.nanoTime();
            treeStarts.putIfAbsent(id, arrived);
            treeRequestTimes.add(arrived);
            long wait = treeLatency.getOrDefault(id, latencyMs);
            if (wait > 0) {
                Thread.sleep(wait);
            }
            Deque<Answer> script = treeScripts.get(id);
            Answer scripted = script == null ? null : script.pollFirst();
            List<Map<String, Object>> list = new ArrayList<>();
            if (level <= depth) {
                for (int k = 1; k <= branching; k++) {
                    String child = id.isEmpty() ? String.valueOf(k) : id + "-" + k;
                    list.add(Map.of("id", child, "name", "Node " + child, "type", "L" + level));
                }
            }
            byte[] body = json(Map.of("list", list));
            leave.run();
            if (scripted != null) {
                respond(exchange, scripted.status(), scripted.body().getBytes(StandardCharsets.UTF_8), scripted.headers());
            } else {
                respond(exchange, 200, body, Map.of());
            }
            treeEnds.put(id, System.nanoTime());
        } finally {
            leave.run();
        }
    }

    /** The CSV a crawl of this tree writes: every node depth-first, children in API order. */
    public String expectedTreeCsv() {
        StringBuilder csv = new StringBuilder("level,id,name,type,parent_id,path\r\n");
        appendSubtree(csv, "", "", 1);
        return csv.toString();
    }

    private void appendSubtree(StringBuilder csv, String parent, String path, int level) {
        if (level > depth) {
            return;
        }
        for (int k = 1; k <= branching; k++) {
            String id = parent.isEmpty() ? String.valueOf(k) : parent + "-" + k;
            String nodePath = path.isEmpty() ? id : path + "/" + id;
            csv.append(level).append(',').append(id).append(",Node ").append(id).append(",L").append(level).append(',')
                    .append(parent).append(',').append(nodePath).append("\r\n");
            appendSubtree(csv, id, nodePath, level + 1);
        }
    }

    private Answer next(int page) {
        Deque<Answer> queue = scripts.get(page);
        return queue == null ? null : queue.pollFirst();
    }

    private int pageOf(String path, Map<String, String> query) {
        int size = Integer.parseInt(query.getOrDefault("size", "100"));
        return switch (path) {
            case "/cursor" -> query.containsKey("cursor") ? 1 + (int) ((Long.parseLong(query.get("cursor")) - 1) / size) : 1;
            case "/links" -> query.containsKey("after") ? 1 + (int) (Long.parseLong(query.get("after")) / size) : 1;
            case "/offset", "/offset-open" -> 1 + (int) (Long.parseLong(query.getOrDefault("offset", "0"))
                    / Integer.parseInt(query.getOrDefault("limit", "100")));
            default -> Integer.parseInt(query.getOrDefault("page", "1"));
        };
    }

    private Object normalAnswer(String path, Map<String, String> query) {
        int size = Integer.parseInt(query.getOrDefault("size", "100"));
        Map<String, Object> answer = new LinkedHashMap<>();
        switch (path) {
            case "/orders" -> {
                answer.put("total", total);
                answer.put("list", records((Integer.parseInt(query.getOrDefault("page", "1")) - 1L) * size + 1, size));
            }
            case "/nested/orders" -> {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("total", String.valueOf(total));
                data.put("list", records((Integer.parseInt(query.getOrDefault("page", "1")) - 1L) * size + 1, size));
                answer.put("data", data);
            }
            case "/cursor" -> {
                long first = Long.parseLong(query.getOrDefault("cursor", "1"));
                answer.put("items", records(first, size));
                answer.put("next", first + size <= total ? String.valueOf(first + size) : null);
            }
            case "/links" -> {
                long after = Long.parseLong(query.getOrDefault("after", "0"));
                answer.put("items", records(after + 1, size));
                answer.put("links", Map.of("next", after + size < total ? "/links?after=" + (after + size) + "&size=" + size : ""));
            }
            case "/offset", "/offset-open" -> {
                long offset = Long.parseLong(query.getOrDefault("offset", "0"));
                if (path.equals("/offset")) {
                    answer.put("total", total);
                }
                answer.put("list", records(offset + 1, Integer.parseInt(query.getOrDefault("limit", "100"))));
            }
            default -> throw new IllegalArgumentException("no such fake API: " + path);
        }
        return answer;
    }

    private List<Map<String, Object>> records(long first, int size) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (long id = first; id < first + size && id <= total; id++) {
            list.add(OrderRecords.record(id));
        }
        return list;
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] bytes, Map<String, String> headers)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void stream(HttpExchange exchange, Streamed stream) throws InterruptedException {
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, stream.contentLength());
            try (OutputStream out = exchange.getResponseBody()) {
                stream.writer().write(out);
            }
        } catch (IOException clientHungUp) {
            streamsCut.incrementAndGet();
        }
    }

    /** A raw query string's parameters, decoded (a pair without '=' is left out); ChangeFeed reads its queries so too. */
    static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
