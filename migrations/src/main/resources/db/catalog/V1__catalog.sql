-- shardkit control-plane catalog.
-- Portable subset: runs unchanged on H2 (MODE=MySQL, the embedded default) and on MySQL/MariaDB.
-- No secrets are ever stored here: credentials are references (option file / env var) kept in topology.

CREATE TABLE plans (
  plan_id      VARCHAR(64)  NOT NULL PRIMARY KEY,
  created_at   TIMESTAMP(6) NOT NULL,
  created_by   VARCHAR(128) NOT NULL,
  source_groups VARCHAR(1024) NOT NULL,
  target_group VARCHAR(128) NOT NULL,
  spec_json    MEDIUMTEXT   NOT NULL
);

CREATE TABLE jobs (
  job_id       VARCHAR(64)  NOT NULL PRIMARY KEY,
  plan_id      VARCHAR(64)  NOT NULL,
  state        VARCHAR(32)  NOT NULL,
  state_reason VARCHAR(2048),
  created_at   TIMESTAMP(6) NOT NULL,
  updated_at   TIMESTAMP(6) NOT NULL,
  revision     BIGINT       NOT NULL
);

CREATE TABLE job_transitions (
  transition_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id       VARCHAR(64)  NOT NULL,
  from_state   VARCHAR(32),
  to_state     VARCHAR(32)  NOT NULL,
  reason       VARCHAR(2048),
  happened_at  TIMESTAMP(6) NOT NULL
);
CREATE INDEX job_transitions_job ON job_transitions (job_id);

-- Copy progress per source and table; the authoritative copy lives on the target next to the data,
-- this is the operator-visible mirror.
CREATE TABLE copy_checkpoints (
  job_id       VARCHAR(64)  NOT NULL,
  source_group VARCHAR(128) NOT NULL,
  table_name   VARCHAR(192) NOT NULL,
  last_key_json VARCHAR(4096),
  rows_copied  BIGINT       NOT NULL,
  rows_total   BIGINT,
  finished     BOOLEAN      NOT NULL,
  updated_at   TIMESTAMP(6) NOT NULL,
  PRIMARY KEY (job_id, source_group, table_name)
);

CREATE TABLE stream_offsets (
  job_id       VARCHAR(64)  NOT NULL,
  source_group VARCHAR(128) NOT NULL,
  gtid_set     MEDIUMTEXT,
  binlog_file  VARCHAR(255),
  binlog_pos   BIGINT,
  offset_json  MEDIUMTEXT,
  updated_at   TIMESTAMP(6) NOT NULL,
  PRIMARY KEY (job_id, source_group)
);

CREATE TABLE verify_runs (
  run_id       BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id       VARCHAR(64)  NOT NULL,
  table_name   VARCHAR(192) NOT NULL,
  started_at   TIMESTAMP(6) NOT NULL,
  finished_at  TIMESTAMP(6),
  chunks       BIGINT       NOT NULL,
  rows_checked BIGINT       NOT NULL,
  mismatched_chunks BIGINT  NOT NULL,
  mismatched_rows   BIGINT  NOT NULL,
  outcome      VARCHAR(32)  NOT NULL
);
CREATE INDEX verify_runs_job ON verify_runs (job_id, table_name);

CREATE TABLE verify_diffs (
  diff_id      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  run_id       BIGINT       NOT NULL,
  source_group VARCHAR(128),
  kind         VARCHAR(16)  NOT NULL,
  key_json     VARCHAR(4096) NOT NULL
);
CREATE INDEX verify_diffs_run ON verify_diffs (run_id);

-- Append-only step log of every failover/switchover, with the evidence behind each decision.
CREATE TABLE failover_journal (
  entry_id     BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  recovery_id  VARCHAR(64)  NOT NULL,
  group_name   VARCHAR(128) NOT NULL,
  step_no      INT          NOT NULL,
  happened_at  TIMESTAMP(6) NOT NULL,
  step_name    VARCHAR(64)  NOT NULL,
  outcome      VARCHAR(32)  NOT NULL,
  evidence_json MEDIUMTEXT
);
CREATE INDEX failover_journal_recovery ON failover_journal (recovery_id, step_no);

CREATE TABLE schedules (
  schedule_id  VARCHAR(64)  NOT NULL PRIMARY KEY,
  cron_expr    VARCHAR(128) NOT NULL,
  runbook      MEDIUMTEXT   NOT NULL,
  enabled      BOOLEAN      NOT NULL,
  created_at   TIMESTAMP(6) NOT NULL
);

CREATE TABLE schedule_runs (
  run_id       BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  schedule_id  VARCHAR(64)  NOT NULL,
  fire_time    TIMESTAMP(6) NOT NULL,
  started_at   TIMESTAMP(6) NOT NULL,
  finished_at  TIMESTAMP(6),
  owner        VARCHAR(128) NOT NULL,
  outcome      VARCHAR(32)  NOT NULL,
  -- one run per schedule and fire time, whichever daemon claims it first
  CONSTRAINT schedule_runs_once UNIQUE (schedule_id, fire_time)
);

-- Mutual exclusion between cutover and failover on the same groups.
CREATE TABLE group_locks (
  group_name   VARCHAR(128) NOT NULL PRIMARY KEY,
  holder       VARCHAR(128) NOT NULL,
  purpose      VARCHAR(64)  NOT NULL,
  acquired_at  TIMESTAMP(6) NOT NULL
);

CREATE TABLE shard_map (
  map_version  BIGINT       NOT NULL PRIMARY KEY,
  created_at   TIMESTAMP(6) NOT NULL,
  map_json     MEDIUMTEXT   NOT NULL
);

CREATE TABLE audit_log (
  audit_id     BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  happened_at  TIMESTAMP(6) NOT NULL,
  actor        VARCHAR(128) NOT NULL,
  command      VARCHAR(2048) NOT NULL,
  outcome      VARCHAR(32)  NOT NULL,
  detail       VARCHAR(4096)
);
