package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"syncagent/agent/instance"
	"syncagent/config"
	"syncagent/queue"
)

// The commands that change what the agent does (push-now, resync, retry, import) reach a
// running agent through a request row in its database (queue.AddRequest): the agent looks
// for requests every second, does them, and writes the result there. No network port is
// opened for it. When no agent runs, there is nobody to ask, and the command says so.

// agentOf finds out whether an agent runs on cfg's data folder, without writing
// anything.
func agentOf(ctx context.Context, cfg *config.Config) AgentStatus {
	now := time.Now()
	if _, err := os.Stat(cfg.DBPath()); err != nil {
		return readAgent(ctx, cfg, nil, now)
	}
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{ReadOnly: true})
	if err != nil {
		return readAgent(ctx, cfg, nil, now)
	}
	defer st.Close()
	return readAgent(ctx, cfg, st, now)
}

// notRunning says that no agent runs and what that means for the command.
func notRunning(cfg *config.Config, a AgentStatus, what string) string {
	return fmt.Sprintf("no agent is running on the data folder %s (%s); %s", cfg.DataDir, a.Describe(cfg.Location, time.Now()), what)
}

// activeStore returns the store named name when it is active in cfg; otherwise a message
// saying why the agent does nothing for it.
func activeStore(cfg *config.Config, name string) (*config.Store, error) {
	s, ok := cfg.Store(name)
	if !ok {
		var names []string
		for _, s := range cfg.Stores {
			names = append(names, s.Name)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%s has no stores", cfg.File)
		}
		return nil, fmt.Errorf("%s has no store named %q; its stores are %s", cfg.File, name, strings.Join(names, ", "))
	}
	if !s.Active {
		return s, fmt.Errorf("store %s is passive (active: false): the agent sends it nothing; set active: true and restart the agent", name)
	}
	return s, nil
}

// errNoAnswer is askAgent's error when the agent did not finish within the wait.
var errNoAnswer = errors.New("no answer yet")

// askAgent leaves a request for the running agent and waits up to wait for its answer,
// looking every poll. It returns the request as last read.
func askAgent(ctx context.Context, cfg *config.Config, kind, store string, wait, poll time.Duration) (queue.Request, error) {
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{})
	if err != nil {
		return queue.Request{}, err
	}
	defer st.Close()
	id, err := st.AddRequest(ctx, kind, store)
	if err != nil {
		return queue.Request{}, fmt.Errorf("leaving the request in %s: %w", cfg.DBPath(), err)
	}
	deadline := time.Now().Add(wait)
	lastProbe := time.Now()
	for {
		req, err := st.RequestByID(ctx, id)
		if err != nil {
			return req, err
		}
		if !req.DoneAt.IsZero() {
			return req, nil
		}
		if time.Now().After(deadline) {
			return req, errNoAnswer
		}
		if time.Since(lastProbe) > 2*time.Second {
			// An agent that stopped (or died) will not answer.
			lastProbe = time.Now()
			if lk, err := instance.Probe(string(cfg.DataDir)); err == nil && !lk.Held {
				if req, err = st.RequestByID(ctx, id); err == nil && !req.DoneAt.IsZero() {
					return req, nil
				}
				return req, fmt.Errorf("the agent stopped before it answered; it pushes every store when it starts again")
			}
		}
		select {
		case <-ctx.Done():
			return req, ctx.Err()
		case <-time.After(poll):
		}
	}
}
