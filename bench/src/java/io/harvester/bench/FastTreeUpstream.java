package io.harvester.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The crawl benchmark's tree API, as light as an upstream can be, so that the crawlers are what is measured:
 * a thread per keep-alive connection on blocking sockets, TCP_NODELAY, each answer written in one piece after
 * the latency. Measured on the project machine against a sequential client at 20 ms latency: 21.2 ms a round
 * trip, against 22.2 ms for the test suite's {@code FakeUpstream} (JDK HttpServer, a dispatcher thread handing
 * every request to a worker). It serves the same tree: the answer for {@code id=1-2} lists {@code 1-2-1} …
 * {@code 1-2-b} named "Node …" of type "L" + level, leaves below {@code depth}.
 */
final class FastTreeUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final int branching;
    private final int depth;
    private final long latencyMs;
    private final AtomicInteger lookups = new AtomicInteger();

    FastTreeUpstream(int branching, int depth, long latencyMs) throws IOException {
        this.branching = branching;
        this.depth = depth;
        this.latencyMs = latencyMs;
        server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fast-tree-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/tree";
    }

    int lookups() {
        return lookups.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                connection.setTcpNoDelay(true);
                Thread worker = new Thread(() -> serve(connection), "fast-tree");
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
            String requestLine;
            while ((requestLine = readHead(in)) != null) {
                lookups.incrementAndGet();
                String id = idOf(requestLine);
                if (latencyMs > 0) {
                    Thread.sleep(latencyMs);
                }
                byte[] body = answer(id);
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

    /** The request line of the next request, its headers skipped; null at the end of the connection. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        String first = null;
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                if (line.length() == 0) {
                    return first;
                }
                if (first == null) {
                    first = line.toString();
                }
                line.setLength(0);
            } else if (c != '\r') {
                line.append((char) c);
            }
        }
        return null;
    }

    private static String idOf(String requestLine) {
        int start = requestLine.indexOf("id=");
        if (start < 0 || (requestLine.charAt(start - 1) != '?' && requestLine.charAt(start - 1) != '&')) {
            return "";
        }
        int end = start + 3;
        while (end < requestLine.length() && requestLine.charAt(end) != '&' && requestLine.charAt(end) != ' ') {
            end++;
        }
        return URLDecoder.decode(requestLine.substring(start + 3, end), StandardCharsets.UTF_8);
    }

    private byte[] answer(String id) {
        int level = id.isEmpty() ? 1 : id.split("-").length + 1;
        StringBuilder json = new StringBuilder("{\"list\":[");
        if (level <= depth) {
            for (int k = 1; k <= branching; k++) {
                String child = id.isEmpty() ? String.valueOf(k) : id + "-" + k;
                json.append(k == 1 ? "" : ",").append("{\"id\":\"").append(child).append("\",\"name\":\"Node ").append(child)
                        .append("\",\"type\":\"L").append(level).append("\"}");
            }
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
