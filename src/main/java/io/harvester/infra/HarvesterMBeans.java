package io.harvester.infra;

import java.lang.management.ManagementFactory;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.camel.CamelContext;
import org.apache.camel.support.management.DefaultManagementMBeanAssembler;

/** Harvester's own JMX views ({@code io.harvester:type=...}), in the platform MBean server. */
public final class HarvesterMBeans {

    private HarvesterMBeans() {
    }

    /**
     * Registers a view, assembled by Camel from its {@code @ManagedResource} annotations. At bean
     * creation Camel's own management agent has not started yet, so an assembler of our own does it.
     */
    public static void register(CamelContext context, Object view, ObjectName name) throws Exception {
        if (context == null) {
            return;
        }
        DefaultManagementMBeanAssembler assembler = new DefaultManagementMBeanAssembler(context);
        assembler.start();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Object mbean;
        try {
            mbean = assembler.assemble(server, view, name);
        } finally {
            // the assembled MBean keeps its own description; a live route edit registers views again and again
            assembler.stop();
        }
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
        server.registerMBean(mbean, name);
    }

    public static void unregister(ObjectName name) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        if (name != null && server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
    }
}
