package io.harvester.infra;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;

/**
 * Work for once the context has fully started: its routes, the HTTP server and the CLI connector are up (a
 * startup listener's {@code onCamelContextStarted} comes before the routes have).
 */
public final class FullyStarted {

    /** What to do then. */
    @FunctionalInterface
    public interface Work {
        void run(CamelContext context) throws Exception;
    }

    private FullyStarted() {
    }

    public static void then(CamelContext context, Work work) throws Exception {
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // too early: see onCamelContextFullyStarted
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) throws Exception {
                work.run(started);
            }
        });
    }
}
