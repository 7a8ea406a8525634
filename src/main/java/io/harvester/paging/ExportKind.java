package io.harvester.paging;

import io.harvester.pipeline.PipelineKind;

/** Paged exports ({@code export:<name>}): a plain kind, everything as the kernel does it. */
public final class ExportKind implements PipelineKind {

    public static final String NAME = "export";

    @Override
    public String name() {
        return NAME;
    }
}
