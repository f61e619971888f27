package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"syncagent/agent"
	"syncagent/agent/instance"
	"syncagent/agent/logging"
	"syncagent/config"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/queue"
)

// TestASecondAgentIsRefusedAndAKill9ReleasesTheDataFolder runs `run` in a child process
// (this test binary), then a second `run` here on the same data folder: it is refused
// with a message naming the child, and writes nothing to the log or the database. status
// meanwhile says the child runs. After a kill -9 of the child (no clean stop) status says
// so, the folder is free, and an agent starts here.
func TestASecondAgentIsRefusedAndAKill9ReleasesTheDataFolder(t *testing.T) {
	if os.Getenv("SYNCAGENT_CLI_CHILD") != "" {
		return
	}
	file := writeConfig(t, "")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCLIChild$")
	cmd.Env = append(os.Environ(), "SYNCAGENT_CLI_CHILD="+file, "CANARY_KEY="+canary)
	var childOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &childOut, &childOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	logFile := filepath.Join(filepath.Dir(file), "data", "logs", "syncagent.log")
	waitUntil(t, func() bool { b, _ := os.ReadFile(logFile); return bytes.Contains(b, []byte("agent started")) })
	pid := cmd.Process.Pid

	code, _, errOut := runCLI(t, context.Background(), "run", "--config", file)
	if code != exitError {
		t.Fatalf("second run exited %d: %s", code, errOut)
	}
	for _, want := range []string{"another syncagent is already running on the data folder " + filepath.Join(filepath.Dir(file), "data"),
		fmt.Sprintf("PID %d", pid), "run in the foreground", "started ", " +03", "Ctrl-C in its terminal", fmt.Sprintf("end process %d", pid)} {
		if !strings.Contains(errOut, want) {
			t.Errorf("refusal lacks %q:\n%s", want, errOut)
		}
	}
	if b, _ := os.ReadFile(logFile); bytes.Count(b, []byte("syncagent starting")) != 1 {
		t.Errorf("the refused agent wrote to the running one's log:\n%s", b)
	}
	status := func() string {
		t.Helper()
		code, out, errOut := runCLI(t, context.Background(), "status", "--config", file)
		if code != exitOK {
			t.Fatalf("status: %d %s", code, errOut)
		}
		return out
	}
	out := status()
	if want := fmt.Sprintf("in the foreground (syncagent run), PID %d; last heartbeat ", pid); !strings.Contains(out, "agent: running since ") || !strings.Contains(out, want) {
		t.Fatalf("status while the child runs lacks %q:\n%s", want, out)
	}

	// The commands that only read work beside it.
	for _, args := range [][]string{{"logs"}, {"orders"}, {"dead-letters"}} {
		if code, _, errOut := runCLI(t, context.Background(), append(args, "--config", file)...); code != exitOK {
			t.Errorf("%s beside the running agent: %d %s", args[0], code, errOut)
		}
	}

	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no clean stop
		t.Fatal(err)
	}
	_ = cmd.Wait()
	out = status()
	for _, want := range []string{"agent: not running; it ended without stopping cleanly (a crash, a kill or a power cut); last seen at ",
		"erp     sql postgres (snapshot)  stopped at ", "ty     trendyol     stopped at "} {
		if !strings.Contains(out, want) {
			t.Errorf("status after kill -9 lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "polling") {
		t.Errorf("status shows a source of a dead agent as polling:\n%s", out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		code, _, errOut := runCLI(t, ctx, "run", "--config", file)
		if code != exitOK {
			t.Errorf("run after the kill: %d %s", code, errOut)
		}
		done <- code
	}()
	waitUntil(t, func() bool { b, _ := os.ReadFile(logFile); return bytes.Count(b, []byte("agent started")) == 2 })
	if out := status(); !strings.Contains(out, fmt.Sprintf("PID %d; last heartbeat", os.Getpid())) {
		t.Fatalf("status with the new agent:\n%s", out)
	}
	cancel()
	<-done
	if out := status(); !strings.Contains(out, "agent: not running; it stopped at ") {
		t.Fatalf("status after a clean stop:\n%s", out)
	}
}

// storeFixture is a config with one PazarSync store on the simulator and a drop folder,
// and the agent running it through `syncagent run`.
type storeFixture struct {
	t    *testing.T
	file string
	dir  string
	ps   *pazarsyncsim.Server
	stop func()
}

func startStoreAgent(t *testing.T) *storeFixture {
	t.Helper()
	ps := pazarsyncsim.New(pazarsyncsim.Options{ClientID: "client", ClientSecret: "secret", PerMinute: -1, PerDay: -1})
	t.Cleanup(ps.Close)
	for _, sku := range []string{"A1", "A2"} {
		if _, err := ps.AddProduct(pazarsyncsim.Product{SKU: sku, Stock: 99, Price: 100}); err != nil {
			t.Fatal(err)
		}
	}
	file, dir := pazarConfig(t, ps.URL, 1)
	f := &storeFixture{t: t, file: file, dir: dir, ps: ps}
	f.start()
	return f
}

// pazarConfig writes a config with one PazarSync store at url and a drop folder. Pushes
// are scheduled hourly: whatever reaches the store within a test came from the agent's
// start, or from what the commands asked for (an import's request makes the on-change
// push of 100 ms go).
func pazarConfig(t *testing.T, url string, maxAttempts int) (file, dir string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "drop"), 0o750); err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(dir, "config.yaml")
	text := fmt.Sprintf(`log: {console: never}
queue: {max_attempts: %d}
stores:
  - name: ps
    marketplace: pazarsync
    base_url: %s
    credentials: {client_id: client, client_secret: secret}
    schedule: {push: "@every 1h", debounce: 100ms, max_delay: 1s}
    rules: {scope: stock}
    orders: {fetch: false}
sources:
  drop_folders:
    - name: stok
      path: drop
`, maxAttempts, url)
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return file, dir
}

func (f *storeFixture) start() {
	f.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if code, _, errOut := runCLI(f.t, ctx, "run", "--config", f.file); code != exitOK {
			f.t.Errorf("run: %d %s", code, errOut)
		}
	}()
	f.stop = func() { cancel(); <-done }
	f.t.Cleanup(func() { f.stop() })
	logFile := filepath.Join(f.dir, "data", "logs", "syncagent.log")
	waitUntil(f.t, func() bool { b, _ := os.ReadFile(logFile); return bytes.Contains(b, []byte("agent started")) })
}

func (f *storeFixture) cli(args ...string) (int, string, string) {
	f.t.Helper()
	return runCLI(f.t, context.Background(), append(args, "--config", f.file)...)
}

func (f *storeFixture) stock(sku string) int64 {
	p, _ := f.ps.Product(sku)
	return p.Stock
}

func TestTheCommandsReachTheRunningAgent(t *testing.T) {
	f := startStoreAgent(t)
	file := writeList(t, f.dir, "stok.csv", "Stok Kodu;Miktar\nA1;5\nA2;7\nX9;1\n")

	// A dry run beside the agent reads and asks nothing.
	code, out, errOut := f.cli("import", file, "--dry-run")
	if code != exitOK || !strings.Contains(out, "A1") || strings.Contains(out, "the running agent") {
		t.Fatalf("import --dry-run: %d\n%s\n%s", code, out, errOut)
	}
	// An import by hand beside the running agent: it commits through the queue's writer
	// and asks the agent to push; the hourly schedule would not have.
	code, out, errOut = f.cli("import", file)
	if code != exitOK || !strings.Contains(out, fmt.Sprintf("the running agent (PID %d, run in the foreground", os.Getpid())) {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	waitUntil(t, func() bool { return f.stock("A1") == 5 && f.stock("A2") == 7 })

	// X9 is not listed at PazarSync: refused, and with max_attempts 1 dead at once.
	waitUntil(t, func() bool { _, out, _ := f.cli("dead-letters"); return strings.Contains(out, "X9") })
	code, out, _ = f.cli("dead-letters", "ps")
	if code != exitOK || !strings.Contains(out, "1 dead-lettered item of ps") || !containsRow(out, "ps", "X9", "-", "stock 1", "0", "+03", "no product with this SKU on PazarSync") {
		t.Fatalf("dead-letters: %d\n%s", code, out)
	}
	// Someone creates the listing; retry sends it through the running agent at once.
	if _, err := f.ps.AddProduct(pazarsyncsim.Product{SKU: "X9", Stock: 0, Price: 100}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = f.cli("retry", "ps", "X9", "NOPE")
	if code != exitError || !strings.Contains(out, "requeued 1 dead-lettered item of ps (X9); the running agent pushes them within seconds") ||
		!strings.Contains(errOut, "not dead-lettered in ps, so nothing to retry: NOPE") {
		t.Fatalf("retry: %d\n%s\n%s", code, out, errOut)
	}
	waitUntil(t, func() bool { return f.stock("X9") == 1 })
	if _, out, _ := f.cli("dead-letters", "ps"); !strings.Contains(out, "no dead-lettered items of ps") {
		t.Fatalf("after the retry:\n%s", out)
	}

	// An order the agent does not fetch lowers A1 at the store behind its back.
	if _, err := f.ps.AddOrder(pazarsyncsim.Order{Items: []pazarsyncsim.OrderItem{{SKU: "A1", Quantity: 2}}}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = f.cli("push-now", "ps")
	if code != exitOK || !strings.Contains(out, "push-now ps: nothing was waiting to be pushed to ps") {
		t.Fatalf("push-now: %d\n%s\n%s", code, out, errOut)
	}
	if got := f.stock("A1"); got != 3 {
		t.Fatalf("A1 at the store %d, want 3 (push-now cannot know about the order)", got)
	}
	code, out, errOut = f.cli("resync", "ps")
	want := "resync ps: read 3 items back from ps: 1 shows other values than it should (A1: stock 3 at the store, should be 5). Then: pushed 1 item to ps in 1 request: 1 confirmed"
	if code != exitOK || !strings.Contains(out, want) {
		t.Fatalf("resync: %d\n%s\n%s\nwant %q", code, out, errOut, want)
	}
	if got := f.stock("A1"); got != 5 {
		t.Fatalf("A1 at the store %d after the resync, want 5", got)
	}

	code, _, errOut = f.cli("push-now", "nosuch")
	if code != exitError || !strings.Contains(errOut, `has no store named "nosuch"; its stores are ps`) {
		t.Fatalf("unknown store: %d %s", code, errOut)
	}

	f.stop()
	code, _, errOut = f.cli("push-now", "ps")
	if code != exitError || !strings.Contains(errOut, "no agent is running on the data folder") || !strings.Contains(errOut, "it stopped at ") ||
		!strings.Contains(errOut, "push-now asks the running agent: start it") {
		t.Fatalf("push-now without an agent: %d %s", code, errOut)
	}
	code, out, _ = f.cli("import", writeList(t, f.dir, "stok2.csv", "Stok Kodu;Miktar\nA1;6\n"))
	if code != exitOK || !strings.Contains(out, "no agent is running: the changes are pushed to the stores when it starts") {
		t.Fatalf("import without an agent: %d\n%s", code, out)
	}
}

// containsRow reports whether a line of out holds every field, in order.
func containsRow(out string, fields ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		rest, ok := line, true
		for _, f := range fields {
			i := strings.Index(rest, f)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(f):]
		}
		if ok {
			return true
		}
	}
	return false
}

// TestAnImportBesideTheRunningAgentWaitsForItsWriterAndTheOtherWay: an import by hand
// opens its own writer on the agent's database. With the agent writing its heartbeat and
// answering requests every few milliseconds, five imports of 3,000 rows each commit, none
// of the agent's writes fails (busy_timeout makes each side wait for the other), and the
// agent pushes every imported value.
func TestAnImportBesideTheRunningAgentWaitsForItsWriterAndTheOtherWay(t *testing.T) {
	ps := pazarsyncsim.New(pazarsyncsim.Options{ClientID: "client", ClientSecret: "secret", PerMinute: -1, PerDay: -1})
	t.Cleanup(ps.Close)
	const n = 3000
	for i := range n {
		if _, err := ps.AddProduct(pazarsyncsim.Product{SKU: fmt.Sprintf("S%05d", i), Stock: 99, Price: 100}); err != nil {
			t.Fatal(err)
		}
	}
	// Round r gives SKU i the quantity r·100 + i%50: every round changes every value.
	list := func(r int) string {
		var b strings.Builder
		b.WriteString("Stok Kodu;Miktar\n")
		for i := range n {
			fmt.Fprintf(&b, "S%05d;%d\n", i, r*100+i%50)
		}
		return b.String()
	}
	file, dir := pazarConfig(t, ps.URL, 8)
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuf
	a := agent.New(cfg, logging.ToWriter(&logs), agent.Options{HeartbeatEvery: 2 * time.Millisecond, PollEvery: 2 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	select {
	case <-a.Ready():
	case err := <-done:
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("agent: %v", err)
		}
	}()
	for round := range 5 {
		csv := writeList(t, dir, "stok.csv", list(round))
		code, out, errOut := runCLI(t, context.Background(), "import", csv, "--config", file)
		if code != exitOK || !strings.Contains(out, "the running agent (") {
			t.Fatalf("import %d beside the agent: %d\n%s\n%s", round, code, out, errOut)
		}
	}
	waitUntil(t, func() bool {
		for i := range n {
			p, _ := ps.Product(fmt.Sprintf("S%05d", i))
			if p.Stock != int64(400+i%50) {
				return false
			}
		}
		return true
	})
	for _, bad := range []string{"heartbeat failed", "database is locked", `"level":"error"`} {
		if strings.Contains(logs.String(), bad) {
			t.Errorf("the agent's log has %q:\n%s", bad, logs.String())
		}
	}
}

// TestPushNowNoticesAnAgentThatStopsWithoutAnswering: an agent that holds the data folder
// but dies before answering must not leave push-now waiting out its --wait.
func TestPushNowNoticesAnAgentThatStopsWithoutAnswering(t *testing.T) {
	file, _ := pazarConfig(t, "http://127.0.0.1:1", 1)
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(context.Background(), cfg.DBPath(), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q.Close()
	// Something holds the folder as an agent would, and never answers.
	lock, err := agent.TakeDataDir(cfg, instance.ModeService)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		code        int
		out, errOut string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errOut := runCLI(t, context.Background(), "push-now", "ps", "--wait", "1m", "--config", file)
		done <- result{code, out, errOut}
	}()
	waitUntil(t, func() bool {
		st, err := queue.Open(context.Background(), cfg.DBPath(), queue.Options{ReadOnly: true})
		if err != nil {
			return false
		}
		defer st.Close()
		open, _ := st.OpenRequests(context.Background())
		return len(open) == 1
	})
	lock.Release()
	select {
	case r := <-done:
		if r.code != exitError || !strings.Contains(r.out, "the service") || !strings.Contains(r.errOut, "the agent stopped before it answered") {
			t.Fatalf("%d\n%s\n%s", r.code, r.out, r.errOut)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("push-now kept waiting for an agent that is gone")
	}
}
