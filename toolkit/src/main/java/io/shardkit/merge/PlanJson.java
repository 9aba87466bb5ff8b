package io.shardkit.merge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Plans to and from JSON (the catalog form and the --json output). */
public final class PlanJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    private PlanJson() {}

    public static String write(Object plan) {
        try {
            return MAPPER.writeValueAsString(plan);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Plan read(String json) {
        try {
            return MAPPER.readValue(json, Plan.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
