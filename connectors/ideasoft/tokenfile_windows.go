//go:build windows

package ideasoft

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// prepareDir makes the tokens folder; the file's own ACL keeps others out.
func prepareDir(dir string) error { return os.MkdirAll(dir, 0o700) }

// restrict replaces the file's inherited ACL (ProgramData lets every user read) with a
// protected one: full control for SYSTEM, the service's account by default, for the
// Administrators group and for the account writing it (an administrator running
// syncagent authorize), nobody else.
func restrict(_ *os.File, path string) error {
	tok := windows.GetCurrentProcessToken()
	user, err := tok.GetTokenUser()
	if err != nil {
		return err
	}
	sd, err := windows.SecurityDescriptorFromString(fmt.Sprintf("D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;%s)", user.User.Sid.String()))
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	return windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
}

// replaceFile renames over the old file with write-through, so the rename is on disk
// when it returns (NTFS has no folder fsync).
func replaceFile(from, to string) error {
	f, err := windows.UTF16PtrFromString(from)
	if err != nil {
		return err
	}
	t, err := windows.UTF16PtrFromString(to)
	if err != nil {
		return err
	}
	return windows.MoveFileEx(f, t, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH)
}

// syncDir is done by replaceFile's write-through on Windows.
func syncDir(string) error { return nil }
