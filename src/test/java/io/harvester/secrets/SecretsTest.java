package io.harvester.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the env: function notes as secret, and how masking shows it. */
class SecretsTest {

    /** Set for the test JVM by the surefire configuration in pom.xml. */
    private static final String TOKEN = System.getenv("HARVESTER_TEST_TOKEN");

    @Test
    void should_note_a_value_from_the_environment_under_any_name_camel_accepts() {
        EnvSecretsFunction env = new EnvSecretsFunction();

        assertThat(env.apply("harvester-test-token")).isEqualTo(TOKEN);

        assertThat(Secrets.mask("Bearer " + TOKEN + " and ?key=" + TOKEN)).isEqualTo("Bearer xxxxxx and ?key=xxxxxx");
    }

    @Test
    void should_not_take_a_default_written_in_the_file_for_a_secret() {
        EnvSecretsFunction env = new EnvSecretsFunction();

        assertThat(env.apply("HARVESTER_SURELY_UNSET:page-size-1000")).isEqualTo("page-size-1000");

        assertThat(Secrets.mask("page-size-1000")).isEqualTo("page-size-1000");
    }

    @Test
    void should_mask_the_url_encoded_form_and_leave_short_values_alone() {
        Secrets.register("p@ss word/42");
        Secrets.register("abc");

        assertThat(Secrets.mask("?password=p%40ss+word%2F42&x=abc")).isEqualTo("?password=xxxxxx&x=abc");
    }
}
