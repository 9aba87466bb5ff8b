-- Which process drives a job ("host:pid"), so a resume after kill -9 can tell a dead owner from a live one.
ALTER TABLE jobs ADD COLUMN owner VARCHAR(255);
