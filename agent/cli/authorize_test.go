package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"syncagent/connectors/ideasoft"
	"syncagent/connectors/sim/ideasoftsim"
)

const isSecret = "is-canary-secret-5e1a90"

// lockedBuffer is a Buffer that the command writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// freeLoopback is a loopback address nothing listens on now.
func freeLoopback(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

type authorizeRun struct {
	t     *testing.T
	out   *lockedBuffer
	errb  *lockedBuffer
	stdin *io.PipeWriter
	done  chan int
}

// startAuthorize runs "syncagent authorize args..." until it ends.
func startAuthorize(t *testing.T, args ...string) *authorizeRun {
	t.Helper()
	pr, pw := io.Pipe()
	r := &authorizeRun{t: t, out: &lockedBuffer{}, errb: &lockedBuffer{}, stdin: pw, done: make(chan int, 1)}
	env := &Env{Stdout: r.out, Stderr: r.errb, Stdin: pr, Getenv: func(string) string { return "" }}
	go func() { r.done <- Main(context.Background(), env, append([]string{"authorize"}, args...)) }()
	t.Cleanup(func() { pw.Close() })
	return r
}

// consentURL waits for the address the command prints.
func (r *authorizeRun) consentURL() string {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(r.out.String()))
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "http") && strings.Contains(l, "/panel/auth?") {
				return l
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("no consent address printed:\n%s%s", r.out, r.errb)
	return ""
}

func (r *authorizeRun) exit() int {
	r.t.Helper()
	select {
	case code := <-r.done:
		return code
	case <-time.After(20 * time.Second):
		r.t.Fatalf("authorize did not end:\n%s", r.out)
		return -1
	}
}

func authorizeConfig(t *testing.T, simURL, redirect string) (path, dataDir string) {
	t.Helper()
	dir := t.TempDir()
	path = filepath.Join(dir, "config.yaml")
	text := fmt.Sprintf(`data_dir: data
stores:
  - name: dukkan
    marketplace: ideasoft
    base_url: %s
    credentials: {shop: magaza, client_id: app-1, client_secret: %s}
    settings: {redirect_uri: "%s"}
`, simURL, isSecret, redirect)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, filepath.Join(dir, "data")
}

// The consent end to end, on the loopback: the command prints the consent address, the
// test plays the admin's browser on the simulator's consent page and follows it back to
// the loopback, the command exchanges the code, saves the refresh token for this account
// only, and test-store works with it.
func TestAuthorizeOnTheLoopback(t *testing.T) {
	redirect := "http://" + freeLoopback(t) + "/callback"
	sim := ideasoftsim.New(ideasoftsim.Options{ClientID: "app-1", ClientSecret: isSecret, RedirectURI: redirect})
	defer sim.Close()
	cfg, dataDir := authorizeConfig(t, sim.URL, redirect)

	r := startAuthorize(t, "dukkan", "--config", cfg, "--no-browser")
	back, err := sim.Browse(r.consentURL(), true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(back, redirect+"?") {
		t.Fatalf("the consent sent the browser to %q", back)
	}
	// A browser coming back with another state is turned away and the wait goes on.
	forged := strings.Replace(back, "state=", "state=x", 1)
	if resp, err := http.Get(forged); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a forged state: %v %v", resp, err)
	}
	resp, err := http.Get(back)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Bağlantı kuruldu") {
		t.Fatalf("the loopback answered %d %s", resp.StatusCode, page)
	}
	if code := r.exit(); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, r.out, r.errb)
	}
	tokenFile := ideasoft.TokenPath(dataDir, "dukkan")
	if !strings.Contains(r.out.String(), "OK: store dukkan is connected") || !strings.Contains(r.out.String(), tokenFile) {
		t.Fatalf("output:\n%s", r.out)
	}
	fi, err := os.Stat(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("the token file is %v, want 0600", fi.Mode().Perm())
	}
	if strings.Contains(r.out.String()+r.errb.String(), isSecret) {
		t.Fatal("the client secret was printed")
	}
	code, out, _ := testStoreCmd(t, "dukkan", "--config", cfg)
	if code != 0 || !strings.HasPrefix(out, "OK: credentials accepted by ideasoft (shop magaza)") {
		t.Fatalf("test-store after the consent: %d %q", code, out)
	}

	// The app's access removed in the panel: test-store says to give the consent again.
	sim.RevokeTokens()
	code, out, _ = testStoreCmd(t, "dukkan", "--config", cfg)
	if code != 1 || !strings.Contains(out, "run `syncagent authorize dukkan` again") || !strings.Contains(out, "what to check: the store's consent: run `syncagent authorize dukkan`, then test again") {
		t.Fatalf("test-store after the consent was revoked: %d %q", code, out)
	}
}

// Where the loopback cannot be used, the user pastes the address the browser ended at.
func TestAuthorizeByPasting(t *testing.T) {
	redirect := "https://www.example-magaza.com.tr/ideasoft-donus"
	sim := ideasoftsim.New(ideasoftsim.Options{ClientID: "app-1", ClientSecret: isSecret, RedirectURI: redirect})
	defer sim.Close()
	cfg, _ := authorizeConfig(t, sim.URL, redirect)

	r := startAuthorize(t, "dukkan", "--config", cfg, "--no-browser")
	back, err := sim.Browse(r.consentURL(), true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.out.String(), "paste it here") {
		t.Fatalf("no paste prompt:\n%s", r.out)
	}
	fmt.Fprintln(r.stdin, "not an address")
	fmt.Fprintln(r.stdin, "  "+back+"  ")
	if code := r.exit(); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, r.out, r.errb)
	}
	if !strings.Contains(r.out.String(), "That is not the address") || !strings.Contains(r.out.String(), "OK: store dukkan is connected") {
		t.Fatalf("output:\n%s", r.out)
	}
}

// A refused consent, a random port the app accepts (RFC 8252), and a store that needs
// no consent.
func TestAuthorizeRefusedAnyPortAndNotNeeded(t *testing.T) {
	redirect := "http://127.0.0.1:53682/callback"
	sim := ideasoftsim.New(ideasoftsim.Options{ClientID: "app-1", ClientSecret: isSecret, RedirectURI: redirect, LoopbackAnyPort: true})
	defer sim.Close()
	cfg, _ := authorizeConfig(t, sim.URL, redirect)

	r := startAuthorize(t, "dukkan", "--config", cfg, "--no-browser", "--listen", "127.0.0.1:0")
	u := r.consentURL()
	if strings.Contains(u, "53682") {
		t.Fatalf("--listen 127.0.0.1:0 kept the configured port: %s", u)
	}
	back, err := sim.Browse(u, false)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(back)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := r.exit(); code != 1 || !strings.Contains(r.errb.String(), "the access was refused") {
		t.Fatalf("a refused consent: exit %d\n%s%s", code, r.out, r.errb)
	}

	r = startAuthorize(t, "dukkan", "--config", cfg, "--no-browser", "--listen", "127.0.0.1:0")
	back, err = sim.Browse(r.consentURL(), true)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(back); err != nil || resp.StatusCode != 200 {
		t.Fatalf("loopback: %v %v", resp, err)
	}
	if code := r.exit(); code != 0 {
		t.Fatalf("any port: exit %d\n%s%s", code, r.out, r.errb)
	}

	ty := testStoreConfig(t, "http://127.0.0.1:1", tsSecret, "http://127.0.0.1:1")
	r = startAuthorize(t, "ty", "--config", ty, "--no-browser")
	if code := r.exit(); code != 1 || !strings.Contains(r.errb.String(), "needs no consent in a browser") {
		t.Fatalf("a Trendyol store: exit %d %s", code, r.errb)
	}
}
