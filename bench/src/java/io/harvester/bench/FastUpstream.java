package io.harvester.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The benchmarks' upstream, as light as an upstream can be, so that the clients are what is measured: a thread per
 * keep-alive connection on blocking sockets, TCP_NODELAY, each answer written in one piece after the latency. What it
 * answers is the test suite's {@code FakeUpstream} (the origin, asked once per request target and then served from
 * memory), so the data is the same. Measured on the project machine with a lone client at 20 ms latency: 21.2 ms a round
 * trip, against 22.2 ms for {@code FakeUpstream} itself (JDK HttpServer, which hands every request from a dispatcher
 * thread to a worker).
 */
final class FastUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final String origin;
    private final long latencyMs;
    private final HttpClient client = HttpClient.newHttpClient();
    private final Map<String, byte[]> answers = new ConcurrentHashMap<>();

    /** Serves what {@code origin} (a FakeUpstream's base URL, without its path) answers, each answer {@code latencyMs} late. */
    FastUpstream(String origin, long latencyMs) throws IOException {
        this.origin = origin;
        this.latencyMs = latencyMs;
        server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fast-upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** This upstream's URL of {@code path}. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                connection.setTcpNoDelay(true);
                Thread worker = new Thread(() -> serve(connection), "fast-upstream");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            InputStream in = new BufferedInputStream(connection.getInputStream());
            OutputStream out = connection.getOutputStream();
            String target;
            while ((target = nextTarget(in)) != null) {
                byte[] body = answers.computeIfAbsent(target, this::fetch);
                if (latencyMs > 0) {
                    Thread.sleep(latencyMs);
                }
                ByteArrayOutputStream whole = new ByteArrayOutputStream(body.length + 100);
                whole.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                whole.write(body);
                out.write(whole.toByteArray());
                out.flush();
            }
        } catch (IOException | InterruptedException gone) {
            // the client closed its connection, or the benchmark ended
        }
    }

    private byte[] fetch(String target) {
        try {
            HttpResponse<byte[]> answer = client.send(HttpRequest.newBuilder(URI.create(origin + target)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("origin answered " + answer.statusCode() + " to " + target);
            }
            return answer.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The request target (path and query) of the next GET, its headers skipped; null at the end of the connection. */
    private static String nextTarget(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        String requestLine = null;
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                if (line.length() == 0) {
                    return requestLine.split(" ")[1];
                }
                if (requestLine == null) {
                    requestLine = line.toString();
                }
                line.setLength(0);
            } else if (c != '\r') {
                line.append((char) c);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
