package io.harvester.infra;

/** Keeps the password of a {@code redis://user:password@host} URI out of logs. */
final class RedisUris {

    private RedisUris() {
    }

    static String withoutSecrets(String uri) {
        return uri.replaceAll("//([^:/@]*):[^@/]*@", "//$1:***@");
    }
}
