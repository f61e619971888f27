package service

import (
	"errors"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// Installed reads the service's registered command line from the SCM. It returns nil
// when the service does not exist. It needs no administrator rights.
func Installed() (*Installation, error) {
	h, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return nil, err
	}
	defer windows.CloseServiceHandle(h)
	name, err := windows.UTF16PtrFromString(Name)
	if err != nil {
		return nil, err
	}
	sh, err := windows.OpenService(h, name, windows.SERVICE_QUERY_CONFIG)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s := &mgr.Service{Name: Name, Handle: sh}
	defer s.Close()
	c, err := s.Config()
	if err != nil {
		return nil, err
	}
	args, err := windows.DecomposeCommandLine(c.BinaryPathName)
	if err != nil {
		return nil, err
	}
	return &Installation{Args: args, Where: "Windows service " + Name}, nil
}
