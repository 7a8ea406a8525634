package io.harvester.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** An answer's body is counted as it is read: past its limit, silent, or outliving its run, it is given up by name. */
class BoundedInputStreamTest {

    private final AtomicInteger drops = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    private InputStream body(int bytes) {
        return new ByteArrayInputStream(new byte[bytes]) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
    }

    private BoundedInputStream bounded(InputStream in, long maxBytes) {
        return new BoundedInputStream(in, new AnswerBounds(maxBytes, 500, 0), System.nanoTime(), () -> false, drops::incrementAndGet);
    }

    @Test
    void should_read_a_body_of_exactly_the_limit_and_close_it() throws IOException {
        BoundedInputStream in = bounded(body(1000), 1000);

        assertThat(in.readAllBytes()).hasSize(1000);
        in.close();

        assertThat(in.count()).isEqualTo(1000);
        assertThat(drops).hasValue(0);
        assertThat(closed).isTrue();
    }

    @Test
    void should_give_up_on_the_first_byte_past_the_limit_and_drop_the_connection_instead_of_closing() throws IOException {
        BoundedInputStream in = bounded(body(1001), 1000);

        assertThat(in.readNBytes(1000)).hasSize(1000);
        assertThatThrownBy(in::read).isInstanceOf(RefusedAnswerException.class)
                .hasMessage("the answer is larger than maxResponseBytes = 1000 bytes");
        in.close();

        assertThat(drops).hasValue(1);
        assertThat(closed).as("closing would read the rest of the answer").isFalse();
    }

    @Test
    void should_count_bulk_reads_and_skips_alike() throws IOException {
        BoundedInputStream in = bounded(body(5000), 4096);

        assertThat(in.skip(4000)).isEqualTo(4000);
        assertThat(in.read(new byte[64], 0, 64)).isEqualTo(64);
        assertThatThrownBy(() -> in.read(new byte[64], 0, 64)).isInstanceOf(RefusedAnswerException.class);

        assertThat(in.count()).isEqualTo(4128);
        assertThat(drops).hasValue(1);
    }

    @Test
    void should_name_timeoutMs_and_the_bytes_read_when_the_upstream_falls_silent() throws IOException {
        InputStream silentAfterTwo = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent == 2) {
                    throw new SocketTimeoutException("Read timed out");
                }
                sent++;
                return 'x';
            }
        };
        BoundedInputStream in = bounded(silentAfterTwo, 1000);

        in.read();
        in.read();
        assertThatThrownBy(in::read).isInstanceOf(UpstreamTimeoutException.class)
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessage("the upstream sent nothing for timeoutMs = 500 ms, 2 bytes into its answer")
                .hasCauseInstanceOf(SocketTimeoutException.class);
        assertThat(drops).hasValue(1);
    }

    @Test
    void should_cut_off_an_answer_once_its_run_ended() throws IOException {
        AtomicBoolean ended = new AtomicBoolean();
        BoundedInputStream in = new BoundedInputStream(body(100), new AnswerBounds(1000, 500, 0), System.nanoTime(), ended::get,
                drops::incrementAndGet);

        assertThat(in.read()).isZero();
        ended.set(true);

        assertThatThrownBy(in::read).isInstanceOf(RunEndedException.class)
                .hasMessage("the run ended while this answer was still coming in");
        assertThat(drops).hasValue(1);
    }

    @Test
    void should_give_up_on_an_answer_still_coming_in_after_maxAnswerMs() throws IOException {
        // sent a minute ago, allowed ten seconds: every byte is late, however fast it comes
        long aMinuteAgo = System.nanoTime() - 60_000_000_000L;
        BoundedInputStream late = new BoundedInputStream(body(100), new AnswerBounds(1000, 500, 10_000), aMinuteAgo,
                () -> false, drops::incrementAndGet);

        assertThatThrownBy(late::read).isInstanceOf(UpstreamTimeoutException.class)
                .hasMessage("the answer was still coming in after maxAnswerMs = 10000 ms, 0 bytes into it");
        assertThat(drops).hasValue(1);

        BoundedInputStream unlimited = new BoundedInputStream(body(100), new AnswerBounds(1000, 500, 0), aMinuteAgo,
                () -> false, drops::incrementAndGet);
        assertThat(unlimited.readAllBytes()).as("maxAnswerMs 0: no limit").hasSize(100);
    }
}
