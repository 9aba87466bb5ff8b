-- One row per failover, switchover or manual promotion: what was seen, what was decided and how it
-- ended. The steps (each with its duration and evidence) are in failover_journal under the same id.
-- Anti-flap reads this table: a group's automatic recovery stays blocked until it is acknowledged.
CREATE TABLE recoveries (
  recovery_id   VARCHAR(64)   NOT NULL PRIMARY KEY,
  event_id      VARCHAR(64)   NOT NULL,
  group_name    VARCHAR(128)  NOT NULL,
  trigger_kind  VARCHAR(16)   NOT NULL,
  analysis_code VARCHAR(64),
  old_primary   VARCHAR(128),
  new_primary   VARCHAR(128),
  host_name     VARCHAR(128),
  zone_name     VARCHAR(128),
  started_at    TIMESTAMP(6)  NOT NULL,
  finished_at   TIMESTAMP(6),
  outcome       VARCHAR(32)   NOT NULL,
  reason        VARCHAR(2048),
  acknowledged_at TIMESTAMP(6),
  acknowledged_by VARCHAR(128),
  evidence_json MEDIUMTEXT,
  ranking_json  MEDIUMTEXT,
  timeline_json MEDIUMTEXT
);
CREATE INDEX recoveries_group ON recoveries (group_name, started_at);
