package io.harvester.http;

/** An upstream answered, but not with what the pipeline declares (bad JSON, a missing or wrong-typed field). */
public class AnswerFormatException extends RuntimeException {

    public AnswerFormatException(String message) {
        super(message);
    }

    public AnswerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
