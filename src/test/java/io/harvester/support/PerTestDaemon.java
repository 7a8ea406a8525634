package io.harvester.support;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon and a fake upstream of each test's own (unlike {@link DaemonTestBase}, one per class): the
 * test sets {@link #upstream} and {@link #harvester}; both are stopped after it.
 */
public abstract class PerTestDaemon {

    @TempDir
    protected Path work;
    protected FakeUpstream upstream;
    protected HarvesterRuntime harvester;

    @AfterEach
    void stopDaemon() {
        if (harvester != null) {
            harvester.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }
}
