package service

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitUnitWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`/usr/bin/syncagent "run-service" "--config" "/etc/syncagent/config.yaml"`, []string{"/usr/bin/syncagent", "run-service", "--config", "/etc/syncagent/config.yaml"}},
		{`/opt/sync\x20agent/syncagent run-service --config "/srv/a \"b\"/c.yaml"`, []string{"/opt/sync agent/syncagent", "run-service", "--config", `/srv/a "b"/c.yaml`}},
		{`  /bin/x   'single quoted'  tail`, []string{"/bin/x", "single quoted", "tail"}},
		{`/bin/x ""`, []string{"/bin/x", ""}},
		{``, nil},
	} {
		if got := splitUnitWords(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitUnitWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUnitExecStartSkipsPrefixesAndOtherLines(t *testing.T) {
	unit := "[Unit]\nDescription=x\n[Service]\nExecStartPre=/bin/true\nExecStart=-/usr/bin/syncagent run-service --config /etc/s.yaml\nExecStart=/bin/other\n"
	got := unitExecStart(strings.NewReader(unit))
	if want := []string{"/usr/bin/syncagent", "run-service", "--config", "/etc/s.yaml"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := unitExecStart(strings.NewReader("[Service]\nType=simple\n")); got != nil {
		t.Fatalf("no ExecStart, got %q", got)
	}
}

func TestInstallationConfigPath(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"x", "run-service", "--config", "/a.yaml"}, "/a.yaml"},
		{[]string{"x", "run-service", "-config", "/b.yaml"}, "/b.yaml"},
		{[]string{"x", "run-service", "--config=/c.yaml"}, "/c.yaml"},
		{[]string{"x", "run-service", "--config"}, ""},
		{[]string{"x", "run"}, ""},
	} {
		in := &Installation{Args: tc.args}
		if got := in.ConfigPath(); got != tc.want {
			t.Errorf("%q: ConfigPath = %q, want %q", tc.args, got, tc.want)
		}
	}
}
