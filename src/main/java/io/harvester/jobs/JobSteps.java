package io.harvester.jobs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.StepDefinition;

/**
 * The tracked steps of a job: the route's {@code step} EIPs in route order, their ids being the step
 * names. Whatever the route does outside a {@code step} runs untracked.
 */
final class JobSteps {

    private JobSteps() {
    }

    /** The step names of {@code route}; a step without an id, a repeated id or a nested step fails naming the job. */
    static List<String> of(String job, RouteDefinition route) {
        Set<String> names = new LinkedHashSet<>();
        collect(job, route.getOutputs(), names, null);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("job " + job + " (route " + route.getId() + ") has no step: a job is a route"
                    + " of Camel step EIPs, each with the step's name as id");
        }
        return List.copyOf(names);
    }

    private static void collect(String job, List<ProcessorDefinition<?>> outputs, Set<String> names, String enclosing) {
        for (ProcessorDefinition<?> output : outputs) {
            if (output instanceof StepDefinition step) {
                if (!step.hasCustomIdAssigned()) {
                    throw new IllegalArgumentException("job " + job + ": step " + (names.size() + 1)
                            + " has no id; the id is the step's name in run_steps");
                }
                if (enclosing != null) {
                    // inside a split, loop or choice a step would run any number of times, or not at all
                    throw new IllegalArgumentException("job " + job + ": step " + step.getId() + " is inside "
                            + enclosing + "; a job's steps are the route's own top-level steps");
                }
                if (!names.add(step.getId())) {
                    throw new IllegalArgumentException("job " + job + ": two steps have the id " + step.getId());
                }
                collect(job, new ArrayList<>(output.getOutputs()), names, "step " + step.getId());
            } else {
                collect(job, new ArrayList<>(output.getOutputs()), names,
                        enclosing != null ? enclosing : output.getShortName() + (output.getId() == null ? "" : " " + output.getId()));
            }
        }
    }
}
