package queue

import (
	"context"
	"database/sql"
	"time"
)

// AgentRun is the agent working on the database (or the last one that did), as its
// heartbeat records it.
type AgentRun struct {
	PID     int
	Mode    string // service, foreground
	Host    string
	Started time.Time
	Beat    time.Time // the last heartbeat
	Stopped time.Time // a clean stop; zero while it runs or when it died
}

// BeginRun records that an agent starts working on the database; its first heartbeat.
func (s *Store) BeginRun(ctx context.Context, r AgentRun) error {
	now := s.nowMS()
	_, err := s.w.ExecContext(ctx, `INSERT INTO agent_run (id, pid, mode, host, started_at, beat_at, stopped_at) VALUES (1, ?, ?, ?, ?, ?, 0)
		ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, mode = excluded.mode, host = excluded.host,
			started_at = excluded.started_at, beat_at = excluded.beat_at, stopped_at = 0`,
		r.PID, r.Mode, r.Host, ms(r.Started), now)
	return err
}

// Heartbeat records that the running agent is alive.
func (s *Store) Heartbeat(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, `UPDATE agent_run SET beat_at = ? WHERE id = 1`, s.nowMS())
	return err
}

// EndRun records a clean stop.
func (s *Store) EndRun(ctx context.Context) error {
	now := s.nowMS()
	_, err := s.w.ExecContext(ctx, `UPDATE agent_run SET beat_at = ?, stopped_at = ? WHERE id = 1`, now, now)
	return err
}

// LastRun returns the current or last agent run; ok is false when no agent ever ran.
func (s *Store) LastRun(ctx context.Context) (r AgentRun, ok bool, err error) {
	var started, beat, stopped int64
	err = s.r.QueryRowContext(ctx, `SELECT pid, mode, host, started_at, beat_at, stopped_at FROM agent_run WHERE id = 1`).
		Scan(&r.PID, &r.Mode, &r.Host, &started, &beat, &stopped)
	if err == sql.ErrNoRows {
		return AgentRun{}, false, nil
	}
	if err != nil {
		return AgentRun{}, false, err
	}
	r.Started, r.Beat, r.Stopped = fromMS(started), fromMS(beat), fromMS(stopped)
	return r, true, nil
}
