package io.harvester.paging;

import java.util.Iterator;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.harvester.http.RateLimit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Hands out page requests to a concurrent splitter and takes their results back in any order, writing
 * them strictly in API order.
 * <p>
 * Two caps: at most {@code concurrency} requests in flight (a slot frees as soon as an answer arrives,
 * before it is parsed and written), and at most {@code 2 × concurrency} pages handed out ahead of the
 * writer, so pages parked out of order, and with them memory, follow concurrency × page size and not
 * the total. Camel's parallel split alone cannot do this: it hands results over in completion order
 * and keeps pulling new parts however far behind the slowest page is.
 *
 * @param <T> a rendered page, ready to write
 */
public final class PageWindow<T> implements Iterator<PageRequest> {

    private final Pagination pagination;
    private final int concurrency;
    private final int maxPages;
    private final Consumer<T> writer;
    private final TreeMap<Integer, T> parked = new TreeMap<>();
    private int issued;
    private int written;
    private int inFlight;
    private boolean ended;
    private boolean exhausted;
    private RuntimeException failure;
    /** Requests start at most this often (ratePerSecond; none without one). */
    private RateLimit rate = new RateLimit(0);

    PageWindow(Pagination pagination, int concurrency, int maxPages, Consumer<T> writer) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        }
        this.pagination = pagination;
        this.concurrency = concurrency;
        this.maxPages = maxPages;
        this.writer = writer;
    }

    /**
     * Never blocks: Camel's splitter asks before it submits the part it already holds. The answer is
     * only "no more" once {@link #next()} has returned its final null.
     */
    @Override
    public synchronized boolean hasNext() {
        return !exhausted;
    }

    /**
     * Blocks until the window allows another request and the pagination knows it. Returns null (which
     * the splitter skips) once the pagination has ended and every page is written, or the run failed:
     * so the split cannot finish while pages are still on their way.
     */
    @Override
    public synchronized PageRequest next() {
        while (!exhausted) {
            if (failure != null || (ended && written == issued)) {
                exhausted = true;
                break;
            }
            if (ended || inFlight >= concurrency || issued - written >= 2 * concurrency) {
                await();
                continue;
            }
            Pagination.Next next = pagination.next(issued);
            if (next instanceof Pagination.Fetch && !paced()) {
                continue;
            }
            if (next instanceof Pagination.Fetch fetch) {
                if (issued >= maxPages) {
                    // a bound for any export: an API whose pages never end would otherwise fill the disk
                    fail(new IllegalStateException("the API has more than maxPages (" + maxPages + ") pages"));
                    continue;
                }
                issued++;
                inFlight++;
                return fetch.request();
            }
            if (next instanceof Pagination.End) {
                ended = true;
            } else {
                await();
            }
        }
        return null;
    }

    /** Requests at most {@code ratePerSecond} a second from now on (0: no limit). */
    synchronized void limitTo(double ratePerSecond) {
        this.rate = new RateLimit(ratePerSecond);
    }

    /** The API said its budget is used up: no request for {@code millis} from now. */
    public synchronized void holdFor(long millis) {
        rate.holdUntil(System.nanoTime() + millis * 1_000_000);
        notifyAll();
    }

    /**
     * Whether a request may go now (then it is counted against the rate); else waits until it might and says
     * no, for the caller to look at the window again.
     */
    private boolean paced() {
        long wait = rate.reserve(System.nanoTime());
        if (wait <= 0) {
            return true;
        }
        try {
            wait(Math.max(1, wait / 1_000_000), (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new IllegalStateException("interrupted while waiting for the API's rate budget", e));
        }
        return false;
    }

    /** An answer arrived (whatever it holds): its request slot is free for the next page. */
    public synchronized void arrived() {
        inFlight--;
        notifyAll();
    }

    /** Lets the pagination learn from a page (its records, total, next cursor) as soon as it is parsed. */
    public synchronized void learn(int index, JsonNode response, int records) {
        try {
            pagination.counted(index, records);
            pagination.learn(index, response);
        } finally {
            notifyAll();
        }
    }

    /** Parks a rendered page and writes every page that is now next in API order. */
    public synchronized void deliver(int index, T page) {
        if (failure != null) {
            return;
        }
        parked.put(index, page);
        try {
            while (!parked.isEmpty() && parked.firstKey() == written) {
                writer.accept(parked.pollFirstEntry().getValue());
                written++;
            }
        } catch (RuntimeException e) {
            fail(e);
            throw e;
        } finally {
            notifyAll();
        }
    }

    /** Stops handing out requests; results still arriving are dropped. */
    public synchronized void fail(RuntimeException cause) {
        fail(cause, () -> { });
    }

    /**
     * Stops the window and, before anyone waiting on it goes on, does {@code whileStopping} (drop the
     * output): under the window's lock, so no page is written in between, in the order {@link #deliver}
     * takes the locks (the window's, then the writer's).
     */
    public synchronized void fail(RuntimeException cause, Runnable whileStopping) {
        if (failure == null) {
            failure = cause;
        }
        parked.clear();
        try {
            whileStopping.run();
        } finally {
            notifyAll();
        }
    }

    public synchronized RuntimeException failure() {
        return failure;
    }

    /** True when the pagination has ended and every page it asked for has been written. */
    public synchronized boolean complete() {
        return failure == null && ended && written == issued;
    }

    public synchronized int written() {
        return written;
    }

    public synchronized int pageCount() {
        return pagination.pageCount();
    }

    private void await() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new IllegalStateException("interrupted while waiting for pages", e));
        }
    }
}
