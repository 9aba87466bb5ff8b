-- Schedules as the daemon runs them: the runbook text is stored when the schedule is added (every
-- daemon, in any zone, runs the same text; `schedule add --replace` takes a new version), with its
-- variables, the time zone its cron is read in, and what to do with due times missed while no
-- leader was up: 'run-once' (one late run for all of them) or 'skip'.
ALTER TABLE schedules ADD COLUMN runbook_path VARCHAR(1024);
ALTER TABLE schedules ADD COLUMN vars_json MEDIUMTEXT;
ALTER TABLE schedules ADD COLUMN time_zone VARCHAR(64);
ALTER TABLE schedules ADD COLUMN missed VARCHAR(16);
-- Each run: how it came to be ('due', 'late' for a missed time run once, 'manual' for run-now),
-- and the reason it ended as it did (the failing runbook line).
ALTER TABLE schedule_runs ADD COLUMN trigger_kind VARCHAR(16);
ALTER TABLE schedule_runs ADD COLUMN detail VARCHAR(2048);
CREATE INDEX schedule_runs_by_schedule ON schedule_runs (schedule_id, fire_time);
-- Where a command came from: cli, shell, runbook FILE, schedule NAME, or a command run by the daemon for a client.
ALTER TABLE audit_log ADD COLUMN origin VARCHAR(256);
