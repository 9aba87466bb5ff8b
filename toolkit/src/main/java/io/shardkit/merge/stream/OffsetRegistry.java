package io.shardkit.merge.stream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Hands a stream's starting offset to its {@link CheckpointOffsetStore} (Debezium instantiates stores by class name). */
final class OffsetRegistry {
    private static final Map<String, Map<String, Object>> OFFSETS = new ConcurrentHashMap<>();

    private OffsetRegistry() {}

    static void put(String engine, Map<String, Object> offset) {
        if (offset == null) OFFSETS.remove(engine);
        else OFFSETS.put(engine, offset);
    }

    static Map<String, Object> get(String engine) {
        return OFFSETS.get(engine);
    }
}
