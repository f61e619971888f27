package service

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Installed reads the service's registered command line from the SCM. It returns nil
// when the service does not exist. It needs no administrator rights.
func Installed() (*Installation, error) {
	m, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return nil, err
	}
	defer windows.CloseServiceHandle(m)
	name, err := windows.UTF16PtrFromString(Name)
	if err != nil {
		return nil, err
	}
	s, err := windows.OpenService(m, name, windows.SERVICE_QUERY_CONFIG)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer windows.CloseServiceHandle(s)
	cmdline, err := binaryPath(s)
	if err != nil {
		return nil, err
	}
	args, err := windows.DecomposeCommandLine(cmdline)
	if err != nil {
		return nil, err
	}
	return &Installation{Args: args, Where: "Windows service " + Name}, nil
}

// binaryPath is the service's command line. Only the basic configuration is read:
// mgr.Service.Config also asks for optional details some SCMs do not provide.
func binaryPath(s windows.Handle) (string, error) {
	buf := make([]uint64, 128) // 8-byte aligned for QUERY_SERVICE_CONFIG
	for {
		var needed uint32
		c := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&buf[0]))
		err := windows.QueryServiceConfig(s, c, uint32(len(buf)*8), &needed)
		if errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) {
			buf = make([]uint64, needed/8+1)
			continue
		}
		if err != nil {
			return "", err
		}
		return windows.UTF16PtrToString(c.BinaryPathName), nil
	}
}
