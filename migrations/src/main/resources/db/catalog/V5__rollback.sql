-- A cutover records where the target's binlog stood at the switch (while still fenced, so nothing of
-- the application's is before it): a rollback's reverse stream starts exactly there.
ALTER TABLE cutovers ADD COLUMN target_binlog_file VARCHAR(255);
ALTER TABLE cutovers ADD COLUMN target_binlog_pos BIGINT;
ALTER TABLE cutovers ADD COLUMN target_gtid VARCHAR(4096);
-- "forward" (sources to target) or "rollback" (the switch back to the sources)
ALTER TABLE cutovers ADD COLUMN direction VARCHAR(16);
