package agent

import (
	"fmt"

	"syncagent/agent/logging"
	"syncagent/erpbridge/dropfolder"
)

// dropFolderFactory builds one watcher per configured drop folder.
func dropFolderFactory() Factory {
	return Factory{Kind: KindSource, Build: func(env *Env) ([]Component, error) {
		var out []Component
		log := logging.Component(env.Log, logging.CompDropFolder)
		// env.Changed is read at each call, not now: the store factory chains the
		// stores' on-change triggers into it, and may be built after this one.
		changed := func() {
			if env.Changed != nil {
				env.Changed()
			}
		}
		for _, f := range env.Config.Sources.DropFolders {
			w, err := dropfolder.New(dropfolder.FromConfig(env.Config, f), env.Store, log, changed)
			if err != nil {
				return nil, fmt.Errorf("drop folder %s: %w", f.Name, err)
			}
			out = append(out, w)
		}
		return out, nil
	}}
}
