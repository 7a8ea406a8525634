package io.harvester.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** "Did you mean": the closest known name is suggested only when it is close enough to be a misspelling. */
class NearestNameTest {

    @Test
    void should_suggest_the_closest_name_only_when_it_is_close() {
        assertThat(NearestName.suggestion("pageSise", Set.of("pageSize", "pageParam", "url"))).isEqualTo(" (did you mean 'pageSize'?)");
        assertThat(NearestName.suggestion("colour", Set.of("pageSize", "url"))).isEmpty();
    }
}
