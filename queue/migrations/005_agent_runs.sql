-- The agent working on this database (one per data folder, held by agent/instance's lock):
-- who it is and its heartbeat, written every few seconds, so `syncagent status` tells a
-- running agent from one that stopped (stopped_at) or died (a heartbeat that ended without
-- stopped_at). One row: the current or last run.
CREATE TABLE agent_run (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    pid        INTEGER NOT NULL,
    mode       TEXT NOT NULL,               -- service, foreground
    host       TEXT NOT NULL DEFAULT '',
    started_at INTEGER NOT NULL,            -- unix ms
    beat_at    INTEGER NOT NULL,            -- the last heartbeat
    stopped_at INTEGER NOT NULL DEFAULT 0   -- a clean stop; 0 while it runs or after a crash
);

-- Requests from the command line to the running agent (push-now, resync, and a manual
-- import's "changed"): a command adds a row, the agent takes it within a second (it polls
-- with its heartbeat), does it and writes the result, which the command waits for. No
-- network port is involved: the database is the one channel both already share.
CREATE TABLE agent_requests (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,
    store    TEXT NOT NULL DEFAULT '',
    at       INTEGER NOT NULL,
    taken_at INTEGER NOT NULL DEFAULT 0,
    done_at  INTEGER NOT NULL DEFAULT 0,
    failed   INTEGER NOT NULL DEFAULT 0,
    result   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agent_requests_open ON agent_requests (id) WHERE taken_at = 0;

-- `syncagent dead-letters` shows each dead item's latest reason.
CREATE INDEX dead_letters_sku ON dead_letters (store, sku, id);
