package io.harvester.dispatch;

/** A delayed-task request that is refused as a whole, naming the field at fault ("due", "[3].set"). */
public class InvalidTaskException extends IllegalArgumentException {

    private final String field;

    public InvalidTaskException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
