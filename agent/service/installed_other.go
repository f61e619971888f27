//go:build !linux && !windows

package service

// Installed finds nothing: syncagent installs only as a Windows service or a systemd
// unit.
func Installed() (*Installation, error) { return nil, nil }
