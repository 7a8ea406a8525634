package io.harvester.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.Test;

/** A job's steps are its route's own top-level step EIPs, each with an id of its own. */
class JobStepsTest {

    @Test
    void should_list_the_top_level_steps_in_route_order() {
        RouteDefinition route = new RouteDefinition();
        route.from("trigger:job:sync").routeId("job-sync")
                .step("copy").to("log:copy").end()
                .to("log:untracked")
                .step("purge").to("log:purge").end();
        assertThat(JobSteps.of("sync", route)).containsExactly("copy", "purge");
    }

    @Test
    void should_refuse_a_step_inside_another_eip_or_step() {
        RouteDefinition looped = new RouteDefinition();
        looped.from("trigger:job:sync").routeId("job-sync").loop(3).step("copy").to("log:copy").end().end();
        assertThatThrownBy(() -> JobSteps.of("sync", looped)).hasMessageStartingWith("job sync: step copy is inside loop")
                .hasMessageEndingWith("; a job's steps are the route's own top-level steps");

        RouteDefinition nested = new RouteDefinition();
        nested.from("trigger:job:sync").routeId("job-sync").step("outer").step("inner").to("log:x").end().end();
        assertThatThrownBy(() -> JobSteps.of("sync", nested))
                .hasMessage("job sync: step inner is inside step outer; a job's steps are the route's own top-level steps");
    }

    @Test
    void should_refuse_a_route_without_steps() {
        RouteDefinition none = new RouteDefinition();
        none.from("trigger:job:sync").routeId("job-sync").to("log:x");
        assertThatThrownBy(() -> JobSteps.of("sync", none)).hasMessage("job sync (route job-sync) has no step: a job is a"
                + " route of Camel step EIPs, each with the step's name as id");
    }
}
