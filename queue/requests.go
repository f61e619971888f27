package queue

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Kinds of request to the running agent.
const (
	RequestPushNow = "push-now" // push the store now
	RequestResync  = "resync"   // read the store back, push what differs
	RequestChanged = "changed"  // the ERP view changed (a manual import): stores with a debounce push soon
)

// Request is one request from the command line to the running agent.
type Request struct {
	ID      int64
	Kind    string
	Store   string
	At      time.Time // asked
	TakenAt time.Time // the agent took it (zero: not yet)
	DoneAt  time.Time // the agent finished it (zero: not yet)
	Failed  bool
	Result  string // what the agent did, or why it could not
}

// ErrNoSuchRequest is returned for a request id that is not in the database.
var ErrNoSuchRequest = errors.New("no such request")

// AddRequest asks the running agent for kind on store and returns the request's id.
func (s *Store) AddRequest(ctx context.Context, kind, store string) (int64, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO agent_requests (kind, store, at) VALUES (?, ?, ?)`, kind, store, s.nowMS())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// OpenRequests returns the requests no agent took yet, oldest first. The agent calls it
// every second; it reads the agent_requests_open index only.
func (s *Store) OpenRequests(ctx context.Context) ([]Request, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, kind, store, at FROM agent_requests WHERE taken_at = 0 ORDER BY id LIMIT 100`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		var r Request
		var at int64
		if err := rows.Scan(&r.ID, &r.Kind, &r.Store, &at); err != nil {
			return nil, err
		}
		r.At = fromMS(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// TakeRequest marks a request as taken; false when it was taken already.
func (s *Store) TakeRequest(ctx context.Context, id int64) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE agent_requests SET taken_at = ? WHERE id = ? AND taken_at = 0`, s.nowMS(), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FinishRequest records what became of a request.
func (s *Store) FinishRequest(ctx context.Context, id int64, result string, failed bool) error {
	now := s.nowMS()
	_, err := s.w.ExecContext(ctx, `UPDATE agent_requests SET taken_at = CASE WHEN taken_at = 0 THEN ?1 ELSE taken_at END,
		done_at = ?1, failed = ?2, result = ?3 WHERE id = ?4`, now, failed, result, id)
	return err
}

// RequestByID reads a request, for the command waiting for its result.
func (s *Store) RequestByID(ctx context.Context, id int64) (Request, error) {
	r := Request{ID: id}
	var at, taken, done int64
	err := s.r.QueryRowContext(ctx, `SELECT kind, store, at, taken_at, done_at, failed, result FROM agent_requests WHERE id = ?`, id).
		Scan(&r.Kind, &r.Store, &at, &taken, &done, &r.Failed, &r.Result)
	if err == sql.ErrNoRows {
		return r, ErrNoSuchRequest
	}
	r.At, r.TakenAt, r.DoneAt = fromMS(at), fromMS(taken), fromMS(done)
	return r, err
}

// ExpireRequests finishes, as failed with why, the requests made before an agent
// started that no agent took: the command that asked has given up long ago, and what it
// asked for (a push) happens at start anyway.
func (s *Store) ExpireRequests(ctx context.Context, before time.Time, why string) (int, error) {
	now := s.nowMS()
	res, err := s.w.ExecContext(ctx, `UPDATE agent_requests SET taken_at = ?1, done_at = ?1, failed = 1, result = ?2
		WHERE taken_at = 0 AND at < ?3`, now, why, ms(before))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// PurgeRequests deletes finished requests older than age.
func (s *Store) PurgeRequests(ctx context.Context, age time.Duration) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM agent_requests WHERE done_at > 0 AND done_at < ?`, s.opts.Now().Add(-age).UnixMilli())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
