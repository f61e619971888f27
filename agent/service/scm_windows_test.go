package service

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/windows/svc"
)

// These run as a Windows program (installer/test.sh runs this package's tests under
// wine); the SCM itself is played by the channels.

func TestSCMStopsWithExitConfigForABrokenConfig(t *testing.T) {
	p := newProgram(func(Logger) (func(context.Context) error, error) {
		return nil, &ConfigError{Path: `C:\ProgramData\SyncAgent\config.yaml`, Err: errors.New("stores[0].rules.scope: bad")}
	})
	p.sys = &sysLog{}
	h := &scmHandler{p: p}
	changes := make(chan svc.Status, 4)
	specific, code := h.Execute(nil, make(chan svc.ChangeRequest), changes)
	if !specific || code != ExitConfig {
		t.Fatalf("Execute = (%v, %d), want a service-specific exit code %d", specific, code, ExitConfig)
	}
	var ce *ConfigError
	if !errors.As(h.err, &ce) {
		t.Fatalf("the config error is not kept for the caller: %v", h.err)
	}
}

func TestSCMStartsAndStopsCleanly(t *testing.T) {
	p := newProgram(func(Logger) (func(context.Context) error, error) {
		return func(ctx context.Context) error { <-ctx.Done(); return nil }, nil
	})
	p.sys = &sysLog{}
	h := &scmHandler{p: p}
	r := make(chan svc.ChangeRequest, 1)
	changes := make(chan svc.Status, 8)
	done := make(chan [2]any, 1)
	go func() { s, c := h.Execute(nil, r, changes); done <- [2]any{s, c} }()
	deadline := time.After(10 * time.Second)
	for running := false; !running; {
		select {
		case st := <-changes:
			running = st.State == svc.Running
		case <-deadline:
			t.Fatal("the service never reported Running")
		}
	}
	r <- svc.ChangeRequest{Cmd: svc.Stop}
	select {
	case got := <-done:
		if got[0].(bool) || got[1].(uint32) != 0 {
			t.Fatalf("a clean stop returned %v", got)
		}
	case <-deadline:
		t.Fatal("Stop did not return")
	}
}
