package io.shardkit.sandbox;

/** A sandbox operation failed; the message says what and where (command, instance, host). */
public final class SandboxException extends RuntimeException {
    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
