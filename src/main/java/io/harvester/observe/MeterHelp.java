package io.harvester.observe;

import java.util.Map;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import org.apache.camel.component.micrometer.MicrometerConstants;

/**
 * Gives help text to the meters of the scrape that come without a description (a few of
 * camel-micrometer's), so that every family of /observe/metrics has a {@code # HELP} line with text, as
 * {@code promtool check metrics} asks. Harvester's own meters describe themselves where they are made.
 */
final class MeterHelp implements MeterFilter {

    private static final Map<String, String> HELP = Map.of(
            MicrometerConstants.APP_INFO_METER_NAME, "Camel's version and runtime, in the labels; always 1",
            MicrometerConstants.DEFAULT_CAMEL_EXCHANGE_EVENT_METER_NAME,
            "How long calls to endpoints took (Camel's exchange-sent events), by route and endpoint",
            MicrometerConstants.DEFAULT_CAMEL_ROUTES_ADDED, "Routes added to the Camel context",
            MicrometerConstants.DEFAULT_CAMEL_ROUTES_RUNNING, "Routes of the Camel context that are running",
            MicrometerConstants.DEFAULT_CAMEL_ROUTES_RELOADED, "Routes reloaded by live route edits");

    @Override
    public Meter.Id map(Meter.Id id) {
        if (id.getDescription() != null && !id.getDescription().isBlank()) {
            return id;
        }
        String help = HELP.getOrDefault(id.getName(), "Meter " + id.getName() + " (its library gives it no description)");
        return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), help, id.getType());
    }
}
