package io.harvester.infra;

/** Keeps passwords given inside a JDBC URL out of logs. */
final class JdbcUrls {

    private JdbcUrls() {
    }

    static String withoutSecrets(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
