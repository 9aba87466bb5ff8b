package io.shardkit.merge.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.util.Callback;

/**
 * Debezium's offset store, backed by shardkit's checkpoints. The authoritative position is written
 * by the sink in the same target transaction as the data it covers; this store only answers
 * Debezium's question "where do I start" with that position, and ignores Debezium's own periodic
 * offset flushes (which could otherwise run ahead of what the target has committed).
 */
public final class CheckpointOffsetStore implements OffsetBackingStore {
    static final String ENGINE_KEY = "shardkit.offsets.engine";
    private static final ObjectMapper JSON = new ObjectMapper();

    private String engine;

    @Override
    public void configure(WorkerConfig config) {
        engine = config.originalsStrings().get(ENGINE_KEY);
    }

    @Override public void start() {}

    @Override public void stop() {}

    @Override
    public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        Map<ByteBuffer, ByteBuffer> out = new HashMap<>();
        Map<String, Object> offset = OffsetRegistry.get(engine);
        if (offset != null) {
            try {
                ByteBuffer value = ByteBuffer.wrap(JSON.writeValueAsBytes(offset));
                // one engine streams one source: every partition it asks about is that source
                for (ByteBuffer k : keys) out.put(k, value.duplicate());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        if (callback != null) callback.onCompletion(null, null);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }
}
