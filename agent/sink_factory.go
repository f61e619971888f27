package agent

import (
	"path/filepath"

	"syncagent/config"
	"syncagent/erpbridge/sinks"
)

// sinkFactory builds the ERP sinks of the config and the one transfer loop that writes
// due orders through them. It builds nothing when no store transfers orders. Building
// opens no connection: an ERP that is down at start is a failed write, retried and
// shown, never a start-up failure.
func sinkFactory(w *orderWiring) Factory {
	return Factory{Kind: KindSink, Build: func(env *Env) ([]Component, error) {
		transfers := false
		for _, s := range env.Config.Stores {
			transfers = transfers || s.Orders.Transfer
		}
		if !transfers {
			return nil, nil
		}
		ss, err := BuildSinks(env.Config)
		if err != nil {
			return nil, err
		}
		return []Component{newTransferLoop(env, w, ss)}, nil
	}}
}

// transferParallel is how many orders are written at once (and the SQL sinks' pool size).
const transferParallel = 4

// BuildSinks builds every configured sink by name. File sinks keep their ledger of
// written names in <data_dir>/sinks/<name>.
func BuildSinks(cfg *config.Config) (map[string]sinks.Sink, error) {
	out := map[string]sinks.Sink{}
	closeAll := func() {
		for _, s := range out {
			_ = s.Close()
		}
	}
	for _, f := range cfg.Sinks.Files {
		s, err := sinks.NewFiles(f, filepath.Join(string(cfg.DataDir), "sinks", f.Name))
		if err != nil {
			closeAll()
			return nil, err
		}
		out[f.Name] = s
	}
	for _, c := range cfg.Sinks.SQL {
		s, err := sinks.NewSQL(c, sinks.SQLOptions{MaxConns: transferParallel})
		if err != nil {
			closeAll()
			return nil, err
		}
		out[c.Name] = s
	}
	return out, nil
}

// closeSinks closes every sink (at stop).
func closeSinks(ss map[string]sinks.Sink) error {
	var first error
	for _, s := range ss {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
