-- Verify runs record how they ran: "chunks" (every chunk) or "keys" (rows written since a clean pass),
-- how long, and the target's own clock at the start: the stream stamps the rows it writes with that
-- clock, so "written since this run began" needs no agreement between clocks.
ALTER TABLE verify_runs ADD COLUMN mode VARCHAR(16);
ALTER TABLE verify_runs ADD COLUMN duration_ms BIGINT;
ALTER TABLE verify_runs ADD COLUMN target_clock_start TIMESTAMP(6);
ALTER TABLE verify_runs ADD COLUMN settled BOOLEAN;
ALTER TABLE verify_diffs ADD COLUMN table_name VARCHAR(192);

-- One row per cutover attempt: its outcome, the write-unavailability window and the step timeline.
CREATE TABLE cutovers (
  cutover_id   BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job_id       VARCHAR(64)  NOT NULL,
  started_at   TIMESTAMP(6) NOT NULL,
  finished_at  TIMESTAMP(6),
  outcome      VARCHAR(32)  NOT NULL,
  predicted_freeze_ms BIGINT,
  freeze_ms    BIGINT,
  reason       VARCHAR(2048),
  timeline_json MEDIUMTEXT
);
CREATE INDEX cutovers_job ON cutovers (job_id);
