package io.harvester.infra;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Keeps the password of a {@code redis://user:password@host} URI out of logs. */
final class RedisUris {

    private static final Pattern PASSWORD = Pattern.compile("//[^:/@]*:([^@/]*)@");

    private RedisUris() {
    }

    static String withoutSecrets(String uri) {
        return uri.replaceAll("//([^:/@]*):[^@/]*@", "//$1:***@");
    }

    /** The password of the URI, or null. */
    static String password(String uri) {
        Matcher m = PASSWORD.matcher(uri);
        return m.find() ? m.group(1) : null;
    }
}
