package io.harvester;

import io.harvester.infra.StorageConfiguration;
import io.harvester.runs.RunsConfiguration;
import org.apache.camel.main.Main;

/** Starts the Harvester daemon: camel-main with our configuration classes, routes from {@code routes/}. */
public final class Harvester {

    private Harvester() {
    }

    public static void main(String[] args) throws Exception {
        create().run(args);
    }

    /** The daemon as production runs it; tests start the same thing. */
    public static Main create() {
        Main main = new Main();
        // Our profile picks the property files only. Handing "dev" to Camel as well would switch on its
        // developer mode (message history, tracing, extended statistics) on every exchange of a daemon.
        main.setPropertyPlaceholderLocations(ConfigLocations.forProfile(ConfigLocations.activeProfile()));
        ServerEnvironment.overrides(System.getenv(), System.getProperties()).forEach(main::addOverrideProperty);
        main.configure().addConfiguration(StorageConfiguration.class);
        main.configure().addConfiguration(RunsConfiguration.class);
        return main;
    }
}
