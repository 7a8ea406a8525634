package io.harvester.system;

import io.harvester.pipeline.PipelineKind;

/** Harvester's own housekeeping runs ({@code system:retention}): a plain kind. */
public final class SystemKind implements PipelineKind {

    public static final String NAME = "system";

    @Override
    public String name() {
        return NAME;
    }
}
