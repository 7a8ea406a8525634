package io.harvester.infra;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Keeps passwords given inside a JDBC URL out of logs. */
final class JdbcUrls {

    private static final Pattern PASSWORD = Pattern.compile("(?i)password=([^&;]*)");

    private JdbcUrls() {
    }

    static String withoutSecrets(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /** The password given inside the URL, or null. */
    static String password(String url) {
        Matcher m = PASSWORD.matcher(url);
        return m.find() ? m.group(1) : null;
    }
}
