package io.shardkit.catalog;

/** The catalog could not be opened, read or written. */
public final class CatalogException extends RuntimeException {
    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
