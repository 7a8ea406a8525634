package io.harvester.infra;

import org.apache.camel.support.service.ServiceSupport;

/** Closes a client that is not itself a Camel service when the context stops. */
public final class Closer extends ServiceSupport {

    public interface Action {
        void run() throws Exception;
    }

    private final String name;
    private final Action close;

    public Closer(String name, Action close) {
        this.name = name;
        this.close = close;
    }

    @Override
    protected void doStop() throws Exception {
        close.run();
    }

    @Override
    public String toString() {
        return "Closer[" + name + "]";
    }
}
