package io.harvester.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** A job route in YAML: one Camel step per entry, each running one SQL statement. */
public final class JobYaml {

    private JobYaml() {
    }

    /** {@code stepsAndSql}: a step's name, then its SQL statement, for each step in order. */
    public static String job(String name, String... stepsAndSql) {
        Map<String, String> steps = new LinkedHashMap<>();
        for (int i = 0; i < stepsAndSql.length; i += 2) {
            steps.put(stepsAndSql[i], stepsAndSql[i + 1]);
        }
        StringBuilder yaml = new StringBuilder("""
                - route:
                    id: job-%s
                    routeConfigurationId: harvester-pipeline
                    from:
                      uri: "trigger:job:%s"
                      steps:
                """.formatted(name, name));
        steps.forEach((step, sql) -> yaml.append("""
                        - step:
                            id: %s
                            steps:
                              - to:
                                  uri: "sql:%s"
                """.formatted(step, sql.replace("\"", "\\\""))));
        return yaml.toString();
    }
}
