package instance

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func me(mode string) Info {
	h, _ := os.Hostname()
	return Info{PID: os.Getpid(), Mode: mode, Started: time.Now(), Host: h, Config: "/etc/syncagent/config.yaml"}
}

// Within one process two opens of the lock file conflict as two processes would, so the
// rules can be checked here; the test below proves them across processes.
func TestOneAgentPerDataFolder(t *testing.T) {
	dir := t.TempDir() + "/data" // Acquire creates the folder
	if st, err := Probe(dir); err != nil || st.Held || st.Info.PID != 0 {
		t.Fatalf("a folder no agent ever used: %+v %v", st, err)
	}
	first, err := Acquire(dir, me(ModeService), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir, me(ModeForeground), time.UTC)
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("second agent: %v, want a HeldError", err)
	}
	msg := err.Error()
	for _, want := range []string{"another syncagent is already running on the data folder " + dir, "PID " + strconv.Itoa(os.Getpid()),
		"the service", "started ", " +00", "config /etc/syncagent/config.yaml", "syncagent stop"} {
		if !strings.Contains(msg, want) {
			t.Errorf("refusal lacks %q: %s", want, msg)
		}
	}
	st, err := Probe(dir)
	if err != nil || !st.Held || st.Info.Mode != ModeService || st.Info.PID != os.Getpid() {
		t.Fatalf("probe while held: %+v %v", st, err)
	}
	// A probe must not take the lock away from the agent.
	if _, err := Acquire(dir, me(ModeForeground), time.UTC); err == nil {
		t.Fatal("a probe released the agent's lock")
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	st, err = Probe(dir)
	if err != nil || st.Held || st.Info.Mode != ModeService {
		t.Fatalf("probe after release: %+v %v (want free, naming the last holder)", st, err)
	}
	second, err := Acquire(dir, me(ModeForeground), time.UTC)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	defer second.Release()
	if st, _ := Probe(dir); !st.Held || st.Info.Mode != ModeForeground {
		t.Fatalf("the lock file names %+v, want the new foreground holder", st.Info)
	}
}

// TestLockAcrossProcessesAndKill9: another process holds the folder; an agent here is
// refused with that process's PID; after a kill -9 of it (no chance to clean up) the
// operating system has released the lock and the folder can be taken.
func TestLockAcrossProcessesAndKill9(t *testing.T) {
	if os.Getenv("SYNCAGENT_LOCK_CHILD") != "" {
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), "SYNCAGENT_LOCK_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "locked") {
		t.Fatalf("child: %q %v", line, err)
	}
	_, err = Acquire(dir, me(ModeForeground), time.UTC)
	var held *HeldError
	if !errors.As(err, &held) || held.Holder.PID != cmd.Process.Pid || held.Holder.Mode != ModeForeground {
		t.Fatalf("beside the child (PID %d): %v", cmd.Process.Pid, err)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("end process %d", cmd.Process.Pid)) {
		t.Errorf("refusal does not say how to stop the foreground agent: %v", err)
	}
	if st, _ := Probe(dir); !st.Held {
		t.Fatal("probe does not see the child's lock")
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL / TerminateProcess
		t.Fatal(err)
	}
	_ = cmd.Wait()
	l, err := Acquire(dir, me(ModeService), time.UTC)
	if err != nil {
		t.Fatalf("after kill -9 of the holder: %v", err)
	}
	l.Release()
}

func TestLockChild(t *testing.T) {
	dir := os.Getenv("SYNCAGENT_LOCK_CHILD")
	if dir == "" {
		t.Skip("child of TestLockAcrossProcessesAndKill9 only")
	}
	if _, err := Acquire(dir, me(ModeForeground), time.UTC); err != nil {
		fmt.Println("failed:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	time.Sleep(time.Minute) // until killed
	os.Exit(2)
}
