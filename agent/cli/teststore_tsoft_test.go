package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"syncagent/connectors/sim/tsoftsim"
)

const tsoftPass = "tsoft-canary-pass-6d21"

// tsoftStoreConfig writes a config with one T-Soft store at the simulated shop.
func tsoftStoreConfig(t *testing.T, url, password, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	text := fmt.Sprintf(`stores:
  - name: magaza
    marketplace: tsoft
    base_url: %s
    credentials: {user: entegrasyon, password: %s}
    settings: {host: www.ornekmagaza.com.tr}
%s`, url, password, extra)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTestStoreTsoftVerdicts: test-store tells a T-Soft shop's refusals apart, each in
// words that say what to change in the T-Soft panel, and never prints the password.
func TestTestStoreTsoftVerdicts(t *testing.T) {
	shop := tsoftsim.New(tsoftsim.Options{User: "entegrasyon", Password: tsoftPass, RateLimit: -1})
	defer shop.Close()
	good := tsoftStoreConfig(t, shop.URL, tsoftPass, "")
	withOrders := tsoftStoreConfig(t, shop.URL, tsoftPass, "    orders: {fetch: true}\n")

	cases := []struct {
		name   string
		config string
		setup  func()
		code   int
		want   []string
	}{
		{"accepted", good, func() {}, 0, []string{"OK: credentials accepted by tsoft (user entegrasyon), "}},
		{"wrong password", tsoftStoreConfig(t, shop.URL, "yanlis-parola-1", ""), func() {}, 1, []string{
			"FAILED: tsoft (user entegrasyon) for store magaza",
			"did not accept the web-service user and password", `"Kullanıcı adı veya şifre hatalı!"`,
			"credentials.user and credentials.password"}},
		{"update not permitted", good, func() { shop.SetMethods([]string{"product/get"}) }, 1, []string{
			"this user may not call product/updateProducts — give the web-service user that permission in the T-Soft panel",
			`"Controller is not allowed!"`, "what to check: the web-service user's method permissions in the T-Soft panel: it needs product/updateProducts"}},
		{"orders not permitted", withOrders, func() { shop.SetMethods([]string{"product/get", "product/updateProducts"}) }, 1, []string{
			"this user may not call order/get"}},
		{"IP not allowed", good, func() { shop.SetAllowedIPs([]string{"203.0.113.9"}) }, 1, []string{
			"the shop's IP restriction refused this computer", "IP adresinizin (127.0.0.1)", "allowed IP list in the T-Soft panel"}},
		{"no licence", good, func() { shop.SetLicence("off-message") }, 1, []string{
			"no web service (REST1 / Gelişmiş Web Servis) licence", "ask T-Soft to add it to the package",
			"what to check: the shop's T-Soft package: it needs the Gelişmiş Web Servis (REST1) licence"}},
		{"no licence, 404", good, func() { shop.SetLicence("off-404") }, 1, []string{
			"404", "settings.host is not the T-Soft shop's address", "REST1 (Gelişmiş Web Servis) licence"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			shop.SetMethods(nil)
			shop.SetAllowedIPs(nil)
			shop.SetLicence("on")
			c.setup()
			code, out, errOut := testStoreCmd(t, "magaza", "--config", c.config)
			if code != c.code {
				t.Fatalf("exit %d, want %d: %q %q", code, c.code, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Fatalf("output %q does not say %q", out, w)
				}
			}
			if strings.Contains(out+errOut, tsoftPass) {
				t.Fatal("the password was printed")
			}
		})
	}
}
