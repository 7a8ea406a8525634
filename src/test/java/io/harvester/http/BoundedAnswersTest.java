package io.harvester.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.junit.jupiter.api.Test;

/** The client's first link: a Content-Length past the limit is refused unread, a silent upstream is named, connecting is left alone. */
class BoundedAnswersTest {

    private final AtomicInteger discarded = new AtomicInteger();
    private final BoundedAnswers answers = new BoundedAnswers().bounds(new AnswerBounds(1000, 500, 0));
    private final BasicClassicHttpRequest request = new BasicClassicHttpRequest("GET", "http://upstream/orders");

    private ExecChain.Scope scope() {
        ExecRuntime runtime = (ExecRuntime) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ExecRuntime.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("discardEndpoint")) {
                        discarded.incrementAndGet();
                    }
                    return method.getReturnType() == boolean.class ? false : null;
                });
        return new ExecChain.Scope("ex-1", new HttpRoute(new HttpHost("http", "upstream", 80)), request, runtime, HttpClientContext.create());
    }

    private static ClassicHttpResponse answer(byte[] body, long announced) {
        BasicClassicHttpResponse response = new BasicClassicHttpResponse(200);
        response.setEntity(new InputStreamEntity(new ByteArrayInputStream(body), announced, ContentType.APPLICATION_JSON));
        return response;
    }

    @Test
    void should_refuse_an_answer_announcing_more_than_the_limit_and_drop_its_connection() {
        assertThatThrownBy(() -> answers.execute(request, scope(), (r, s) -> answer(new byte[0], 104_857_600)))
                .isInstanceOf(RefusedAnswerException.class)
                .hasMessage("the answer is 104857600 bytes (Content-Length), larger than maxResponseBytes = 1000 bytes");
        assertThat(discarded).hasValue(1);
    }

    @Test
    void should_read_an_answer_of_unknown_length_whole_and_refuse_it_past_the_limit() {
        // read here, not by camel-http: it would copy an answer without a length into a stream cache kept until the run's end
        assertThatThrownBy(() -> answers.execute(request, scope(), (r, s) -> answer(new byte[1001], -1)))
                .isInstanceOf(RefusedAnswerException.class)
                .hasMessage("the answer is larger than maxResponseBytes = 1000 bytes");
        assertThat(discarded).hasValue(1);
    }

    @Test
    void should_hand_on_an_answer_of_unknown_length_within_the_limit_as_an_array_with_its_length() throws Exception {
        ClassicHttpResponse response = answers.execute(request, scope(), (r, s) -> answer("{\"list\": [1]}".getBytes(), -1));

        assertThat(response.getEntity().getContentLength()).isEqualTo(13);
        assertThat(response.getEntity().getContentType()).isEqualTo("application/json; charset=UTF-8");
        assertThat(new String(response.getEntity().getContent().readAllBytes())).isEqualTo("{\"list\": [1]}");
        assertThat(discarded).hasValue(0);
    }

    @Test
    void should_pass_an_answer_within_the_limit_untouched() throws Exception {
        ClassicHttpResponse response = answers.execute(request, scope(), (r, s) -> answer("{\"list\": []}".getBytes(), 12));

        assertThat(new String(response.getEntity().getContent().readAllBytes())).isEqualTo("{\"list\": []}");
        assertThat(discarded).hasValue(0);
    }

    @Test
    void should_name_timeoutMs_when_the_answer_does_not_begin() {
        assertThatThrownBy(() -> answers.execute(request, scope(), (r, s) -> {
            throw new SocketTimeoutException("Read timed out");
        })).isInstanceOf(UpstreamTimeoutException.class)
                .hasMessage("the upstream sent nothing for timeoutMs = 500 ms after the request");
    }

    @Test
    void should_leave_a_connect_timeout_as_it_is() {
        ConnectTimeoutException connecting = new ConnectTimeoutException("Connect to http://upstream:80 failed: Connect timed out");

        assertThatThrownBy(() -> answers.execute(request, scope(), (r, s) -> {
            throw connecting;
        })).isSameAs(connecting);
    }

    @Test
    void should_close_the_connection_when_the_head_is_still_coming_in_at_maxAnswerMs() {
        AtomicReference<FutureTask<?>> armed = new AtomicReference<>();
        answers.bounds(new AnswerBounds(1000, 500, 2000)).timer((millis, action) -> {
            assertThat(millis).isEqualTo(2000);
            armed.set(new FutureTask<>(action, null));
            return armed.get();
        });

        // the deadline fires while the client still reads the head; the closed socket fails that read
        assertThatThrownBy(() -> answers.execute(request, scope(), (r, s) -> {
            armed.get().run();
            throw new SocketException("Socket closed");
        })).isInstanceOf(UpstreamTimeoutException.class)
                .hasMessage("the answer's status line and headers were still coming in after maxAnswerMs = 2000 ms")
                .hasCauseInstanceOf(SocketException.class);
        assertThat(discarded).hasValue(1);
    }

    @Test
    void should_name_maxAnswerMs_when_the_socket_closes_while_the_deadline_is_still_running() {
        AtomicReference<Runnable> deadline = new AtomicReference<>();
        AtomicReference<FutureTask<?>> armed = new AtomicReference<>();
        answers.bounds(new AnswerBounds(1000, 500, 2000)).timer((millis, action) -> {
            deadline.set(action);
            // a task that has begun but not yet ended: its Future can still be cancelled
            armed.set(new FutureTask<>(() -> { }, null));
            return armed.get();
        });

        // the deadline has closed the connection and not yet returned when the client's read fails
        assertThatThrownBy(() -> answers.execute(request, scope(), (r, s) -> {
            deadline.get().run();
            throw new SocketException("Socket closed");
        })).isInstanceOf(UpstreamTimeoutException.class)
                .hasMessage("the answer's status line and headers were still coming in after maxAnswerMs = 2000 ms");
        assertThat(discarded).hasValue(1);
    }

    @Test
    void should_disarm_the_deadline_once_the_head_arrived() throws Exception {
        AtomicReference<FutureTask<?>> armed = new AtomicReference<>();
        answers.bounds(new AnswerBounds(1000, 500, 2000)).timer((millis, action) -> {
            armed.set(new FutureTask<>(action, null));
            return armed.get();
        });

        ClassicHttpResponse response = answers.execute(request, scope(), (r, s) -> answer(new byte[10], 10));

        assertThat(armed.get().isCancelled()).isTrue();
        assertThat(response.getEntity().getContent().readAllBytes()).hasSize(10);
        assertThat(discarded).hasValue(0);
    }
}
