package io.harvester.support;

/**
 * The {@code camel} command: what Camel JBang's launcher script runs ({@code CamelJBangMain.run(args)}, which
 * exits the process). camel-jbang-core is on the failsafe class path only (pom.xml), hence the reflection;
 * {@code CliConnectorIT} starts this class in a process of its own.
 */
public final class CamelJBang {

    private CamelJBang() {
    }

    public static void main(String[] args) throws Exception {
        Class.forName("org.apache.camel.dsl.jbang.core.commands.CamelJBangMain").getMethod("run", String[].class)
                .invoke(null, (Object) args);
    }
}
