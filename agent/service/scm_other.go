//go:build !windows

package service

// runUnderSCM is the Windows service path; elsewhere kardianos runs the program (under
// systemd the exit status of the process carries ExitConfig).
func runUnderSCM(*program) (handled bool, err error) { return false, nil }
