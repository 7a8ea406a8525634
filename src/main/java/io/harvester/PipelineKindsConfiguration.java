package io.harvester;

import io.harvester.crawl.CrawlKind;
import io.harvester.dispatch.DispatchKind;
import io.harvester.infra.Beans;
import io.harvester.jobs.JobKind;
import io.harvester.jobs.Jobs;
import io.harvester.paging.ExportKind;
import io.harvester.paging.ExportWatermarks;
import io.harvester.pipeline.PipelineKind;
import io.harvester.runs.RunLifecycle;
import io.harvester.system.SystemKind;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * The pipeline kinds this daemon runs, bound in the registry where the kernel finds them
 * ({@code PipelineKinds}). A new kind is one line here.
 */
public class PipelineKindsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        RunLifecycle lifecycle = Beans.need(context, RunLifecycle.class, getClass());
        Jobs jobs = Beans.need(context, Jobs.class, getClass());
        bind(context, new ExportKind(new ExportWatermarks(lifecycle.store().sql())));
        bind(context, new CrawlKind(lifecycle.store()));
        bind(context, new JobKind(jobs));
        bind(context, new DispatchKind());
        bind(context, new SystemKind());
    }

    /** Binds a kind under {@code pipelineKind:<name>}. */
    public static void bind(CamelContext context, PipelineKind kind) {
        context.getRegistry().bind("pipelineKind:" + kind.name(), PipelineKind.class, kind);
    }
}
