package io.harvester.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * The baseline a data engineer would write by hand, done well: JDK HttpClient with the same number of
 * requests in flight, Jackson streaming, a buffered writer, pages written in order. No breaker, no
 * retries, no run tracking.
 */
final class PlainJavaExport {

    private static final JsonFactory JSON = new JsonFactory();

    private PlainJavaExport() {
    }

    /** Exports {@code url?page=N&size=S} into a CSV; returns the number of records written. */
    static long export(String url, int pageSize, int concurrency, Path csv) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        HttpClient client = HttpClient.newBuilder().executor(pool).build();
        long records = 0;
        try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            Page first = parse(client.send(request(url, 1, pageSize), HttpResponse.BodyHandlers.ofInputStream()).body());
            int pages = (int) Math.max(1, (first.total + pageSize - 1) / pageSize);
            records += write(first, out, true);
            Semaphore window = new Semaphore(concurrency);
            List<CompletableFuture<Page>> inOrder = new ArrayList<>();
            int next = 2;
            for (int written = 2; written <= pages; written++) {
                while (next <= pages && window.tryAcquire()) {
                    inOrder.add(client.sendAsync(request(url, next++, pageSize), HttpResponse.BodyHandlers.ofInputStream())
                            .thenApply(r -> parse(r.body())));
                }
                Page page = inOrder.get(written - 2).join();
                inOrder.set(written - 2, null);
                records += write(page, out, false);
                window.release();
            }
        } finally {
            pool.shutdownNow();
        }
        return records;
    }

    private record Page(long total, List<List<String>> header, List<List<String>> rows) {
    }

    private static HttpRequest request(String url, int page, int size) {
        return HttpRequest.newBuilder(URI.create(url + "?page=" + page + "&size=" + size)).build();
    }

    private static Page parse(InputStream body) {
        try (JsonParser p = JSON.createParser(body)) {
            long total = 0;
            List<List<String>> rows = new ArrayList<>();
            List<String> names = new ArrayList<>();
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("total".equals(field)) {
                    total = p.getValueAsLong();
                } else if ("list".equals(field)) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        List<String> row = new ArrayList<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            if (rows.isEmpty()) {
                                names.add(p.currentName());
                            }
                            JsonToken value = p.nextToken();
                            row.add(value == JsonToken.VALUE_NULL ? "" : p.getText());
                        }
                        rows.add(row);
                    }
                } else {
                    p.skipChildren();
                }
            }
            return new Page(total, List.of(names), rows);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long write(Page page, BufferedWriter out, boolean header) throws IOException {
        if (header) {
            line(page.header.get(0), out);
        }
        for (List<String> row : page.rows) {
            line(row, out);
        }
        return page.rows.size();
    }

    private static void line(List<String> fields, BufferedWriter out) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            String f = fields.get(i);
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                out.write('"');
                out.write(f.replace("\"", "\"\""));
                out.write('"');
            } else {
                out.write(f);
            }
        }
        out.write("\r\n");
    }
}
