package io.harvester.infra;

/** Keeps passwords given inside a JDBC URL out of logs. */
final class JdbcUrls {

    private JdbcUrls() {
    }

    static String withoutSecrets(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /** The password given inside the URL, or null. */
    static String password(String url) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)password=([^&;]*)").matcher(url);
        return m.find() ? m.group(1) : null;
    }
}
