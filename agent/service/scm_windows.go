package service

import (
	"golang.org/x/sys/windows/svc"

	kservice "github.com/kardianos/service"
)

// scmHandler runs the agent under the Windows Service Control Manager. It does what
// kardianos' own handler does, with one difference: a Start that fails stops the service
// with a service-specific exit code of ours (exitCodeOf), so a config that cannot be used
// shows in the Event Log as "terminated with service-specific error 78" (event 7024)
// instead of kardianos' fixed 1. A stop with an error code is not a crash, so the
// recovery actions (restart after 5 s) do not loop on a broken config.
type scmHandler struct {
	p   *program
	err error // what Start or Stop failed with, for Run's caller
}

func (h *scmHandler) Execute(_ []string, r <-chan svc.ChangeRequest, changes chan<- svc.Status) (bool, uint32) {
	changes <- svc.Status{State: svc.StartPending}
	if err := h.p.Start(nil); err != nil {
		h.err = err
		return true, exitCodeOf(err)
	}
	changes <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for c := range r {
		switch c.Cmd {
		case svc.Interrogate:
			changes <- c.CurrentStatus
		case svc.Stop, svc.Shutdown:
			changes <- svc.Status{State: svc.StopPending}
			if err := h.p.Stop(nil); err != nil {
				h.err = err
				return true, exitStopFailed
			}
			return false, 0
		}
	}
	return false, 0
}

// runUnderSCM runs p as the Windows service when this process was started by the SCM;
// handled is false in a terminal, where kardianos' interactive run is used.
func runUnderSCM(p *program) (handled bool, err error) {
	if kservice.Interactive() {
		return false, nil
	}
	h := &scmHandler{p: p}
	if err := svc.Run(Name, h); err != nil {
		return true, err
	}
	return true, h.err
}
