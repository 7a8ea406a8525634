package io.harvester.jobs;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.harvester.infra.NearestName;
import io.harvester.infra.PropertyNames;
import io.harvester.pipeline.PipelineKind;
import io.harvester.pipeline.PipelineRefused;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;

/**
 * Step jobs ({@code job:<name>}): a job route runs under its {@link JobExecution} (failure policy, one row
 * per step, resume from the failed step), takes its cron from {@code harvester.jobs.<name>.cron}, registers
 * its own view ({@link JobView}), and can run one of its steps alone.
 */
public final class JobKind implements PipelineKind {

    public static final String NAME = "job";
    private final Jobs jobs;

    public JobKind(Jobs jobs) {
        this.jobs = jobs;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Processor runner(CamelContext context, String pipeline, Processor route) {
        return jobs.execution(job(pipeline), route);
    }

    @Override
    public Optional<DefaultCron> defaultCron(CamelContext context, String pipeline) {
        String job = job(pipeline);
        return Optional.of(new DefaultCron(jobs.settings(job).cron(), Jobs.cronProperty(job)));
    }

    /** {@code harvester.jobs.*} properties that name no job (or no knob of one) stop start-up. */
    @Override
    public void checkAtStartup(CamelContext context, Set<String> pipelines) {
        JobSettings.requireKnown(PropertyNames.of(context),
                pipelines.stream().map(JobKind::job).collect(Collectors.toSet()));
    }

    /** The failure policy reads the newest ended run: skip, cancel, resume from its failed step. */
    @Override
    public boolean readsLastRun() {
        return true;
    }

    @Override
    public boolean ownView() {
        return true;
    }

    @Override
    public List<String> settingPrefixes(String pipeline) {
        return List.of(JobSettings.PREFIX + job(pipeline) + ".");
    }

    @Override
    public List<String> steps(String pipeline) {
        return jobs.steps(pipeline).orElse(List.of());
    }

    @Override
    public String restartFrom(String pipeline) {
        return jobs.settings(job(pipeline)).restartFrom().value();
    }

    @Override
    public Map<String, Object> singleStep(String pipeline, String step) {
        List<String> steps = jobs.steps(pipeline).orElseThrow(() -> new PipelineRefused(400, "pipeline", "no job " + pipeline));
        if (!steps.contains(step)) {
            throw new PipelineRefused(400, "step", pipeline + " has no step '" + step + "'"
                    + NearestName.suggestion(step, new TreeSet<>(steps)) + " (steps: " + steps + ")");
        }
        return Map.of(JobExecution.STEP_HEADER, step);
    }

    @Override
    public boolean replacesLiveRun(String pipeline, Map<String, Object> headers) {
        return jobs.replacesLiveRun(pipeline, headers);
    }

    private static String job(String pipeline) {
        return pipeline.substring(NAME.length() + 1);
    }
}
