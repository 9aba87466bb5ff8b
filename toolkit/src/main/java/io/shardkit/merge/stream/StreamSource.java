package io.shardkit.merge.stream;

import io.shardkit.mysql.Credential;
import io.shardkit.mysql.Endpoint;
import io.shardkit.mysql.FlavorFamily;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a stream needs to know about one source: where its primary is, who to log in as, which
 * tables to capture, where to resume (null: from now), and where Debezium keeps its schema history.
 */
public record StreamSource(String name, FlavorFamily family, Endpoint endpoint, Credential credential, long serverId,
                           String database, List<String> tables, List<String> extraTables, Map<String, Object> resumeFrom, Path historyFile) {}
