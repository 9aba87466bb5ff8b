package io.shardkit.merge;

import io.shardkit.mysql.Queries;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * shardkit's own bookkeeping tables on the servers (like gh-ost's changelog table): checkpoints on
 * the target, written in the same transaction as the rows they describe, and a marker table on each
 * source whose writes come back through the binlog to prove a stream has caught up.
 */
final class MetaTables {
    static final String DB = "_shardkit";

    private MetaTables() {}

    static void onTarget(Connection c) throws SQLException {
        Queries.execute(c, "CREATE DATABASE IF NOT EXISTS " + DB);
        Queries.execute(c, "CREATE TABLE IF NOT EXISTS " + DB + ".copy_progress (job_id VARCHAR(64) NOT NULL, source VARCHAR(128) NOT NULL,"
                + " tbl VARCHAR(192) NOT NULL, last_key TEXT, rows_copied BIGINT NOT NULL, done TINYINT NOT NULL,"
                + " PRIMARY KEY (job_id, source, tbl)) ENGINE=InnoDB");
        Queries.execute(c, "CREATE TABLE IF NOT EXISTS " + DB + ".stream_position (job_id VARCHAR(64) NOT NULL, source VARCHAR(128) NOT NULL,"
                + " position TEXT NOT NULL, gtid VARCHAR(255), events BIGINT NOT NULL, updated_at TIMESTAMP(6) NOT NULL,"
                + " PRIMARY KEY (job_id, source)) ENGINE=InnoDB");
    }

    static void onSource(Connection c) throws SQLException {
        Queries.execute(c, "CREATE DATABASE IF NOT EXISTS " + DB);
        Queries.execute(c, "CREATE TABLE IF NOT EXISTS " + DB + ".markers (job_id VARCHAR(64) NOT NULL, source VARCHAR(128) NOT NULL,"
                + " seq BIGINT NOT NULL, PRIMARY KEY (job_id, source)) ENGINE=InnoDB");
    }
}
