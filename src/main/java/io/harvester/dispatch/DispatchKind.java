package io.harvester.dispatch;

import io.harvester.pipeline.PipelineKind;

/** Task dispatch's own runs ({@code dispatch:generate}, {@code dispatch:sweep}): a plain kind. */
public final class DispatchKind implements PipelineKind {

    public static final String NAME = "dispatch";

    @Override
    public String name() {
        return NAME;
    }
}
