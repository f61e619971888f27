package cli

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/trendyolsim"
)

const tsSecret = "ts-canary-secret-0b7e"

// testStoreCmd runs "syncagent test-store args..." and returns exit code and output.
func testStoreCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	code := Main(context.Background(), env, append([]string{"test-store"}, args...))
	return code, out.String(), errb.String()
}

func testStoreConfig(t *testing.T, tyURL, tySecret, psURL string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	text := fmt.Sprintf(`stores:
  - name: ty
    marketplace: trendyol
    base_url: %s/integration
    credentials: {seller_id: "555", api_key: key, api_secret: %s}
  - name: ps
    marketplace: pazarsync
    active: false
    base_url: %s
    credentials: {client_id: client, client_secret: %s}
    rules: {scope: stock}
`, tyURL, tySecret, psURL, tsSecret)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTestStore(t *testing.T) {
	ty := trendyolsim.New(trendyolsim.Options{SellerID: "555", APIKey: "key", APISecret: tsSecret})
	defer ty.Close()
	ps := pazarsyncsim.New(pazarsyncsim.Options{ClientID: "client", ClientSecret: tsSecret})
	defer ps.Close()
	good := testStoreConfig(t, ty.URL, tsSecret, ps.URL)

	code, out, errOut := testStoreCmd(t, "ty", "--config", good)
	if code != 0 || !strings.HasPrefix(out, "OK: credentials accepted by trendyol (seller 555), ") || !strings.HasSuffix(out, " s\n") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	code, out, _ = testStoreCmd(t, "--config", good, "ps")
	if code != 0 || !strings.HasPrefix(out, "OK: credentials accepted by pazarsync, ") || !strings.Contains(out, "the store is passive") {
		t.Fatalf("passive PazarSync store: exit %d, %q", code, out)
	}

	bad := testStoreConfig(t, ty.URL, "wrong-secret-9", ps.URL)
	code, out, _ = testStoreCmd(t, "ty", "--config", bad)
	if code != 1 || !strings.HasPrefix(out, "FAILED: trendyol (seller 555) for store ty") ||
		!strings.Contains(out, "what to check: the credentials of store ty") || !strings.Contains(out, "credentials.api_key") {
		t.Fatalf("wrong secret: exit %d, %q", code, out)
	}
	if strings.Contains(out, "wrong-secret-9") {
		t.Fatal("the secret was printed")
	}

	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	down := testStoreConfig(t, closed, tsSecret, ps.URL)
	code, out, _ = testStoreCmd(t, "ty", "--config", down)
	if code != 1 || !strings.HasPrefix(out, "FAILED: ") || !strings.Contains(out, "that this PC reaches base_url "+closed) {
		t.Fatalf("unreachable: exit %d, %q", code, out)
	}

	code, _, errOut = testStoreCmd(t, "nope", "--config", good)
	if code != 1 || !strings.Contains(errOut, `no store named "nope"`) || !strings.Contains(errOut, "ty, ps") {
		t.Fatalf("unknown store: exit %d, %q", code, errOut)
	}
	if code, _, _ = testStoreCmd(t, "--config", good); code != exitUsage {
		t.Fatalf("no store named: exit %d, want %d", code, exitUsage)
	}
	for _, o := range []string{out, errOut} {
		if strings.Contains(o, tsSecret) {
			t.Fatal("a secret was printed")
		}
	}
}
