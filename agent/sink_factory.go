package agent

import (
	"path/filepath"

	"syncagent/agent/orders"
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
		targets := map[string]orders.Target{}
		for _, s := range env.Config.Stores {
			o := s.Orders
			targets[s.Name] = orders.Target{Marketplace: s.Marketplace, Transfer: o.Transfer, Sink: o.Sink,
				Warehouse: o.DefaultWarehouse, CargoFirm: o.CargoFirm}
		}
		w.transfer = orders.NewTransferLoop(env.Store, ss,
			orders.TransferSettings{Targets: targets, Location: env.Config.Location}, env.Log)
		return []Component{w.transfer}, nil
	}}
}

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
		s, err := sinks.NewSQL(c, sinks.SQLOptions{MaxConns: orders.WriteParallel})
		if err != nil {
			closeAll()
			return nil, err
		}
		out[c.Name] = s
	}
	return out, nil
}
