package io.harvester.infra;

/** Keeps the password of a {@code redis://user:password@host} URI out of logs. */
final class RedisUris {

    private RedisUris() {
    }

    static String withoutSecrets(String uri) {
        return uri.replaceAll("//([^:/@]*):[^@/]*@", "//$1:***@");
    }

    /** The password of the URI, or null. */
    static String password(String uri) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("//[^:/@]*:([^@/]*)@").matcher(uri);
        return m.find() ? m.group(1) : null;
    }
}
