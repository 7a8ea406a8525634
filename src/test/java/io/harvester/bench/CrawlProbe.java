package io.harvester.bench;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.harvester.support.CrawlYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterRuntime;

public final class CrawlProbe {
    public static void main(String[] args) throws Exception {
        FakeUpstream up = FakeUpstream.start().tree(5, 4).latencyMs(20);
        try (HarvesterRuntime h = HarvesterRuntime.start(Path.of("target/probe"), CrawlYaml.crawl("p", up.url("/tree"),
                Map.of("levelConcurrency", "5,10,15,20", "maxInFlight", "50")).yaml(), Map.of())) {
            h.runNow("crawl:p");
            for (int i = 0; i < 5; i++) {
                h.runNow("crawl:p");
            }
            up.resetCounters();
            java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
            long t0 = System.nanoTime();
            h.runNow("crawl:p");
            long total = (System.nanoTime() - t0) / 1_000_000;
            long cpu = (((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() - cpu0) / 1_000_000;
            System.out.println("PROBE jvm cpu ms=" + cpu + " wall ms=" + total);
            List<Long> times = up.lookupTimes();
            Collections.sort(times);
            long first = times.get(0);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < times.size(); i += 10) {
                sb.append(i).append(':').append((times.get(i) - first) / 1_000_000).append(' ');
            }
            sb.append("last:").append((times.get(times.size() - 1) - first) / 1_000_000);
            System.out.println("PROBE total=" + total + " firstLookupAfter=" + (first - t0) / 1_000_000 + " starts " + sb
                    + " maxInFlight=" + up.maxInFlight() + " L4max=" + up.maxInFlight(4));
        }
        up.close();
        System.exit(0);
    }
}
