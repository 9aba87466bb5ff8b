-- Live-adjustable settings of a merge job (merge throttle) and the throttle state its process reports.
CREATE TABLE job_settings (
  job_id          VARCHAR(64)  NOT NULL PRIMARY KEY,
  max_lag_ms      BIGINT       NOT NULL,
  max_threads_running INT      NOT NULL,
  chunk_size      INT          NOT NULL,
  throttle_reason VARCHAR(1024),
  updated_at      TIMESTAMP(6) NOT NULL
);
