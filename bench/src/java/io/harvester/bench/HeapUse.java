package io.harvester.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** The heap figures the benchmarks print. */
final class HeapUse {

    private static final List<MemoryPoolMXBean> HEAP = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();

    private HeapUse() {
    }

    /** Collects, then starts the heap pools' peaks afresh for {@link #peakSinceReset()}. */
    static void resetPeak() {
        System.gc();
        HEAP.forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** The sum of the heap pools' peak usage since {@link #resetPeak()}: an upper bound, garbage not yet collected included. */
    static long peakSinceReset() {
        return HEAP.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    /** The most heap in use right after a full GC, sampled every 50 ms while {@code run} runs: what is held, not garbage. */
    static long livePeak(Runnable run) throws InterruptedException {
        AtomicLong peak = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                System.gc();
                peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        run.run();
        running.set(false);
        sampler.join();
        return peak.get();
    }

    /** {@link #livePeak} of half a second with nothing running: the daemon's own live heap. */
    static long idleLive() throws InterruptedException {
        return livePeak(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
