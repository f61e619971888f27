package service

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	kservice "github.com/kardianos/service"
)

func TestConfigRegistersTheEntryWithAnAbsoluteConfigPath(t *testing.T) {
	dir, err := os.Getwd() // a relative --config is taken from where install runs, then fixed
	if err != nil {
		t.Fatal(err)
	}
	c, err := Config(Options{ConfigPath: "config.yaml", Executable: filepath.Join(dir, "syncagent"), UserName: "syncagent"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{EntryCommand, "--config", filepath.Join(dir, "config.yaml")}
	if strings.Join(c.Arguments, "|") != strings.Join(want, "|") {
		t.Errorf("Arguments = %q, want %q", c.Arguments, want)
	}
	if !filepath.IsAbs(c.Executable) || c.Name != Name || c.WorkingDirectory != dir {
		t.Errorf("config: %+v", c)
	}
	for key, want := range map[string]any{
		"OnFailure":              "restart", // without it kardianos sets no recovery at all
		"OnFailureDelayDuration": "5s",
		"OnFailureResetPeriod":   86400,
		"StartType":              "automatic",
		"Restart":                "on-failure",
		"SystemdScript":          SystemdUnit,
	} {
		if got := c.Option[key]; got != want {
			t.Errorf("Option[%s] = %v, want %v", key, got, want)
		}
	}
	wantUser := "syncagent"
	if runtime.GOOS == "windows" {
		wantUser = "" // LocalSystem; an account needs a password, set in services.msc
	}
	if c.UserName != wantUser {
		t.Errorf("UserName = %q, want %q", c.UserName, wantUser)
	}
}

func TestConfigNeedsAConfigFile(t *testing.T) {
	if _, err := Config(Options{}); err == nil || !strings.Contains(err.Error(), "--config") {
		t.Fatalf("err = %v", err)
	}
}

func TestPlainSaysWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{os.ErrPermission, "administrator"},
		{errors.New("Access is denied."), "administrator"},
		{errors.New("Failed to start syncagent.service: Interactive authentication required."), "administrator"},
		{kservice.ErrNotInstalled, "syncagent install --config FILE"},
		{errors.New("Unit syncagent.service not loaded."), "not installed"},
		{errors.New("something else"), "cannot start the service: something else"},
	} {
		got := plain("start", tc.err).Error()
		want := tc.want
		if want == "administrator" && runtime.GOOS != "windows" {
			want = "root (sudo)"
		}
		if !strings.Contains(got, want) {
			t.Errorf("plain(%v) = %q, want it to contain %q", tc.err, got, want)
		}
	}
	if plain("start", nil) != nil {
		t.Error("plain(nil) is not nil")
	}
}
