package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"syncagent/connectors/sim/n11sim"
)

const n11TSSecret = "ts-n11-canary-secret-91f4"

func n11TestStoreConfig(t *testing.T, url, secret string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	text := fmt.Sprintf(`stores:
  - name: n11-magaza
    marketplace: n11
    base_url: %s
    credentials: {appkey: n11-key, appsecret: %s}
`, url, secret)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTestStoreN11: a plain verdict for a good key, a wrong secret, a host that refuses
// the connection and a host that never answers; no secret is ever printed.
func TestTestStoreN11(t *testing.T) {
	sim := n11sim.New(n11sim.Options{AppKey: "n11-key", AppSecret: n11TSSecret})
	defer sim.Close()
	if err := sim.AddProduct(n11sim.Product{StockCode: "A1", Quantity: 1, SalePrice: 100}); err != nil {
		t.Fatal(err)
	}
	var outs []string

	code, out, errOut := testStoreCmd(t, "n11-magaza", "--config", n11TestStoreConfig(t, sim.URL, n11TSSecret))
	outs = append(outs, out, errOut)
	if code != 0 || !strings.HasPrefix(out, "OK: credentials accepted by n11, ") || !strings.HasSuffix(out, " s\n") {
		t.Fatalf("good key: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if q := sim.Stats().Endpoints["product-query"]; q.OK != 1 || q.Requests != 1 {
		t.Fatalf("the test is one product-query: %+v", q)
	}

	code, out, _ = testStoreCmd(t, "n11-magaza", "--config", n11TestStoreConfig(t, sim.URL, "wrong-n11-secret-7"))
	outs = append(outs, out)
	if code != 1 || !strings.HasPrefix(out, "FAILED: n11 for store n11-magaza") || !strings.Contains(out, "Apide doğrulama işlemi başarısız oldu.") ||
		!strings.Contains(out, "what to check: the credentials of store n11-magaza") || !strings.Contains(out, "credentials.appkey, credentials.appsecret") {
		t.Fatalf("wrong secret: exit %d, %q", code, out)
	}
	if strings.Contains(out, "wrong-n11-secret-7") {
		t.Fatal("the wrong secret was printed")
	}

	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	code, out, _ = testStoreCmd(t, "n11-magaza", "--config", n11TestStoreConfig(t, closed, n11TSSecret))
	outs = append(outs, out)
	if code != 1 || !strings.HasPrefix(out, "FAILED: n11 for store n11-magaza") || !strings.Contains(out, "could not reach n11") ||
		!strings.Contains(out, "that this PC reaches base_url "+closed) {
		t.Fatalf("refused connection: exit %d, %q", code, out)
	}

	// A host that takes the connection and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	url := "http://" + silent.Addr().String()
	code, out, _ = testStoreCmd(t, "n11-magaza", "--config", n11TestStoreConfig(t, url, n11TSSecret), "--timeout", "500ms")
	outs = append(outs, out)
	if code != 1 || !strings.HasPrefix(out, "FAILED: n11 did not answer within 500ms") || !strings.Contains(out, "that this PC reaches base_url "+url) {
		t.Fatalf("silent host: exit %d, %q", code, out)
	}
	for _, o := range outs {
		if strings.Contains(o, n11TSSecret) {
			t.Fatal("a secret was printed")
		}
	}
}
