package io.harvester.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The baseline crawler a data engineer writes by hand, done well (the 30-line asyncio crawler of issue 19, in
 * Java): JDK HttpClient sending asynchronously, at most {@code levelConcurrency[l]} lookups of a level and
 * {@code maxInFlight} in all, deepest level first, children asked the moment their parent's answer is parsed.
 * The tree is kept in memory and written as CSV at the end. No checkpoint, breaker, retries or run tracking.
 */
final class PlainJavaCrawl {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Node(int level, String id, String name, String type, String parentId, List<Node> children) {
    }

    private final String url;
    private final int depth;
    private final int[] levelConcurrency;
    private final int maxInFlight;
    private final HttpClient client;
    private final List<ArrayDeque<Node>> queues = new ArrayList<>();
    private final int[] inFlightPerLevel;
    private int inFlight;
    private int pending;
    private final CountDownLatch done = new CountDownLatch(1);

    private PlainJavaCrawl(String url, int depth, int[] levelConcurrency, int maxInFlight, ExecutorService pool) {
        this.url = url;
        this.depth = depth;
        this.levelConcurrency = levelConcurrency;
        this.maxInFlight = maxInFlight;
        this.client = HttpClient.newBuilder().executor(pool).build();
        this.inFlightPerLevel = new int[depth + 1];
        for (int i = 0; i <= depth; i++) {
            queues.add(new ArrayDeque<>());
        }
    }

    /** Crawls the tree under {@code url} into a CSV; returns the number of nodes written. */
    static long crawl(String url, int depth, int[] levelConcurrency, int maxInFlight, Path csv) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            PlainJavaCrawl crawl = new PlainJavaCrawl(url, depth, levelConcurrency, maxInFlight, pool);
            Node root = new Node(0, "", null, null, null, new ArrayList<>());
            crawl.enqueue(root);
            crawl.done.await();
            try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                out.write("level,id,name,type,parent_id\r\n");
                return write(root, out);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private synchronized void enqueue(Node lookup) {
        queues.get(lookup.level()).addLast(lookup);
        pending++;
        startWhatFits();
    }

    /** Starts lookups while the limits allow, deepest level first. */
    private synchronized void startWhatFits() {
        for (int level = depth - 1; level >= 0 && inFlight < maxInFlight; level--) {
            ArrayDeque<Node> queue = queues.get(level);
            while (!queue.isEmpty() && inFlight < maxInFlight && inFlightPerLevel[level] < levelConcurrency[level]) {
                Node lookup = queue.pollFirst();
                inFlight++;
                inFlightPerLevel[level]++;
                String target = lookup.level() == 0 ? url : url + "?id=" + encode(lookup.id()) + "&name=" + encode(lookup.name())
                        + "&type=" + encode(lookup.type());
                client.sendAsync(HttpRequest.newBuilder(URI.create(target)).GET().build(), HttpResponse.BodyHandlers.ofByteArray())
                        .thenAccept(response -> answered(lookup, response.body()));
            }
        }
    }

    private void answered(Node lookup, byte[] body) {
        List<Node> children = new ArrayList<>();
        try {
            for (JsonNode item : JSON.readTree(body).path("list")) {
                children.add(new Node(lookup.level() + 1, item.path("id").asText(), item.path("name").asText(),
                        item.path("type").asText(), lookup.id(), new ArrayList<>()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (this) {
            lookup.children().addAll(children);
            inFlight--;
            inFlightPerLevel[lookup.level()]--;
            pending--;
            for (Node child : children) {
                if (child.level() < depth) {
                    queues.get(child.level()).addLast(child);
                    pending++;
                }
            }
            if (pending == 0) {
                done.countDown();
            }
            startWhatFits();
        }
    }

    private static long write(Node node, BufferedWriter out) throws IOException {
        long rows = 0;
        for (Node child : node.children()) {
            out.write(child.level() + "," + child.id() + "," + child.name() + "," + child.type() + ","
                    + (child.parentId() == null ? "" : child.parentId()) + "\r\n");
            rows += 1 + write(child, out);
        }
        return rows;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
