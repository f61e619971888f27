package ideasoft

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/sim/ideasoftsim"
	"syncagent/connectors/sim/simkit"
)

const (
	tClientID = "app-internal-1"
	tSecret   = "internal-canary-secret-3f9d"
)

type tokenEnv struct {
	t     *testing.T
	sim   *ideasoftsim.Server
	clock *simkit.FakeClock
	store connectors.Store
	log   *bytes.Buffer
	mu    sync.Mutex
}

func newTokenEnv(t *testing.T, opt ideasoftsim.Options) *tokenEnv {
	t.Helper()
	clock := simkit.NewFakeClock(time.Time{})
	opt.ClientID, opt.ClientSecret, opt.Clock = tClientID, tSecret, clock
	s := ideasoftsim.New(opt)
	t.Cleanup(s.Close)
	e := &tokenEnv{t: t, sim: s, clock: clock, log: &bytes.Buffer{}, store: connectors.Store{
		Name: "dukkan", Marketplace: Marketplace, BaseURL: s.URL, DataDir: t.TempDir(),
		Credentials: connectors.Credentials{"shop": "magaza", "client_id": tClientID, "client_secret": tSecret},
		Scope:       connectors.ScopeStock | connectors.ScopePrice,
	}}
	if errs := connectors.Check(&e.store); len(errs) > 0 {
		t.Fatal(errs)
	}
	if _, err := s.AddProduct(ideasoftsim.Product{SKU: "A1", Stock: ideasoftsim.Units(3), Price1: 10000}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *tokenEnv) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.log.Write(p)
}

// client is a connector of the store, as a (re)started agent builds it.
func (e *tokenEnv) client() *Client {
	e.t.Helper()
	st := e.store
	c, err := New(&st, connectors.Deps{Log: zerolog.New(e).Level(zerolog.DebugLevel), Now: e.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { e.clock.Advance(d); return ctx.Err() }})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// consent gives the one-time consent through the simulator's consent page.
func (e *tokenEnv) consent() {
	e.t.Helper()
	c := e.client()
	back, err := e.sim.Browse(c.ConsentURL(c.RedirectURI(), "st"), true)
	if err != nil {
		e.t.Fatal(err)
	}
	u, _ := url.Parse(back)
	if err := c.ExchangeCode(context.Background(), u.Query().Get("code"), c.RedirectURI()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *tokenEnv) file() *tokenFile {
	e.t.Helper()
	f, err := readTokenFile(TokenPath(e.store.DataDir, e.store.Name))
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

// The refresh token rotates on a refresh; the new one is on disk, complete, before any
// request goes out with the new access token, and only then.
func TestRefreshIsSavedBeforeItsTokenIsUsed(t *testing.T) {
	e := newTokenEnv(t, ideasoftsim.Options{})
	e.consent()
	before := e.file()
	if before.Access != "" {
		t.Fatal("the consent's access token was written to the file; the service refreshes instead")
	}
	c := e.client()
	var stages []string
	c.OnTokenSave(func(stage string) {
		used := e.sim.Stats().Endpoints["products"].Requests
		stages = append(stages, stage)
		if used != 0 {
			t.Errorf("a request went out with the new token at stage %s, before it was saved", stage)
		}
		if stage == "renamed" || stage == "saved" {
			if f, err := readTokenFile(c.TokenFile()); err != nil || f.Refresh == before.Refresh {
				t.Errorf("at stage %s the file holds the old refresh token (%v)", stage, err)
			}
		}
	})
	if err := c.Test(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(stages, ","); got != "loaded,refreshed,written,renamed,saved" {
		t.Fatalf("stages %s", got)
	}
	after := e.file()
	if after.Refresh == before.Refresh || after.Seq != before.Seq+1 || after.Access == "" || e.sim.Refreshes() != 1 || e.sim.LiveRefreshTokens() != 1 {
		t.Fatalf("after the refresh: %+v (refreshes %d, live %d)", after, e.sim.Refreshes(), e.sim.LiveRefreshTokens())
	}
	if _, err := os.Stat(c.TokenFile() + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a temporary file is left: %v", err)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(c.TokenFile())
		di, _ := os.Stat(filepath.Dir(c.TokenFile()))
		if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
			t.Fatalf("token file %v, folder %v; want 0600 and 0700", fi.Mode().Perm(), di.Mode().Perm())
		}
	}
	// A restart uses the saved access token: no second rotation.
	if err := e.client().Test(context.Background()); err != nil || e.sim.Refreshes() != 1 {
		t.Fatalf("after a restart: %v, %d refreshes", err, e.sim.Refreshes())
	}
	for _, secret := range []string{tSecret, after.Refresh, after.Access, before.Refresh, tClientID} {
		if strings.Contains(e.log.String(), secret) {
			t.Fatalf("the debug log holds a secret (%.6s…)", secret)
		}
	}
}

// Many callers waiting for a token lead to one refresh; a second connector of the same
// store (test-store beside the running service) takes up the token the first one
// rotated instead of presenting the dead one.
func TestRefreshesNeverRace(t *testing.T) {
	e := newTokenEnv(t, ideasoftsim.Options{})
	e.consent()
	c, other := e.client(), e.client()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.ReadBack(context.Background(), []connectors.Item{{SKU: "A1"}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.sim.Refreshes(); n != 1 {
		t.Fatalf("%d refreshes for 32 concurrent callers; want 1", n)
	}
	// The access token dies; both connectors need a new one.
	e.sim.ExpireAccessTokens()
	if err := c.Test(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := other.Test(context.Background()); err != nil {
		t.Fatalf("the second connector presented a rotated token: %v", err)
	}
	if n := e.sim.Refreshes(); n != 2 {
		t.Fatalf("%d refreshes; want 2", n)
	}
	// A third connector reads the refresh token, and the first rotates it before the
	// third presents it: IdeaSoft refuses the dead one, and the third takes up the new.
	e.sim.ExpireAccessTokens()
	third := e.client()
	third.OnTokenSave(func(stage string) {
		if stage == "loaded" {
			c.auth.Renew(c.tokens.mustAccess(t))
			if _, err := c.fetchToken(context.Background()); err != nil {
				t.Error(err)
			}
		}
	})
	if err := third.Test(context.Background()); err != nil {
		t.Fatalf("a connector whose refresh token was rotated by another: %v", err)
	}
	if n := e.sim.Refreshes(); n != 3 {
		t.Fatalf("%d refreshes; want 3", n)
	}
}

func (ts *tokenStore) mustAccess(t *testing.T) string {
	f, err := readTokenFile(ts.path)
	if err != nil {
		t.Fatal(err)
	}
	return f.Access
}

// crashAt runs one token fetch of a fresh connector and stops it at stage, as a crash
// there would: nothing after the stage runs.
func crashAt(e *tokenEnv, stage string) {
	e.t.Helper()
	c := e.client()
	type crash struct{}
	c.tokens.hook = func(s string) {
		if s == stage {
			panic(crash{})
		}
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(crash); !ok {
					panic(r)
				}
			}
		}()
		_, err := c.fetchToken(context.Background())
		e.t.Fatalf("the fetch did not reach stage %s: %v", stage, err)
	}()
}

// A crash at any point of the save after the new refresh token reached the disk loses
// nothing: a restart finds it (completing a rename that was cut short). Before it
// reached the disk the token is lost, because IdeaSoft killed the old one when it
// answered: then the store says, in plain words, to give the consent again.
func TestCrashDuringARefresh(t *testing.T) {
	for _, stage := range []string{"written", "renamed", "saved"} {
		t.Run(stage, func(t *testing.T) {
			e := newTokenEnv(t, ideasoftsim.Options{})
			e.consent()
			crashAt(e, stage)
			if e.sim.LiveRefreshTokens() != 1 || e.sim.Refreshes() != 1 {
				t.Fatalf("the refresh did not happen")
			}
			c := e.client() // the restart
			if err := c.Test(context.Background()); err != nil {
				t.Fatalf("after a crash at %s: %v", stage, err)
			}
			if _, err := os.Stat(c.TokenFile() + ".tmp"); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a temporary file is left after the restart: %v", err)
			}
		})
	}
	t.Run("refreshed", func(t *testing.T) {
		e := newTokenEnv(t, ideasoftsim.Options{})
		e.consent()
		crashAt(e, "refreshed")
		err := e.client().Test(context.Background())
		var ce *connectors.Error
		if !errors.As(err, &ce) || ce.Kind != connectors.Auth || !strings.Contains(ce.Message, "run `syncagent authorize dukkan` again") {
			t.Fatalf("after losing the rotated token: %v", err)
		}
		e.consent()
		if err := e.client().Test(context.Background()); err != nil {
			t.Fatalf("after a new consent: %v", err)
		}
	})
	t.Run("torn temporary file", func(t *testing.T) {
		e := newTokenEnv(t, ideasoftsim.Options{})
		e.consent()
		path := TokenPath(e.store.DataDir, e.store.Name)
		os.WriteFile(path+".tmp", []byte(`{"v":1,"refresh_tok`), 0o600)
		if err := e.client().Test(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path + ".tmp"); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("the torn temporary file was kept")
		}
	})
}

// The store's consent missing, revoked, or given to another app: Auth, and words that
// say what to run.
func TestConsentMessages(t *testing.T) {
	e := newTokenEnv(t, ideasoftsim.Options{})
	check := func(err error, want string) {
		t.Helper()
		var ce *connectors.Error
		if !errors.As(err, &ce) || ce.Kind != connectors.Auth || !strings.Contains(ce.Message, want) || strings.ContainsAny(ce.Message, "{}") {
			t.Fatalf("%v; want Auth saying %q", err, want)
		}
	}
	check(e.client().Test(context.Background()), "store dukkan is not connected to its IdeaSoft shop yet: run `syncagent authorize dukkan` once")
	e.consent()
	if err := e.client().Test(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.sim.RevokeTokens()
	check(e.client().Test(context.Background()), "run `syncagent authorize dukkan` again")
	e.consent()
	e.store.Credentials = connectors.Credentials{"shop": "magaza", "client_id": "another-app", "client_secret": tSecret}
	check(e.client().Test(context.Background()), "another shop or API app")
}

// A scope the app lacks is a permission to give in the panel.
func TestMissingPermission(t *testing.T) {
	e := newTokenEnv(t, ideasoftsim.Options{Scopes: []string{"product_read"}})
	e.consent()
	c := e.client()
	if err := c.Test(context.Background()); err != nil {
		t.Fatal(err)
	}
	q := int64(9)
	_, err := c.Push(context.Background(), []connectors.Item{{SKU: "A1", Qty: &q}})
	var ce *connectors.Error
	if !errors.As(err, &ce) || ce.Kind != connectors.Auth || !strings.Contains(ce.Message, "give the app read and write access") {
		t.Fatalf("a push without product_update: %v", err)
	}
}

// The token endpoint failing during a refresh (503, before IdeaSoft did anything) keeps
// the saved refresh token: the refresh is tried again and works.
func TestTokenEndpointFailureDuringARefresh(t *testing.T) {
	e := newTokenEnv(t, ideasoftsim.Options{})
	e.consent()
	before := e.file()
	e.sim.SetFaults(simkit.Faults{ErrorRate: 1, ErrorStatus: 503, Only: []string{"token"}})
	c := e.client()
	err := c.Test(context.Background())
	if connectors.KindOf(err) != connectors.Transient {
		t.Fatalf("a 503 from the token endpoint: %v", err)
	}
	if f := e.file(); f.Refresh != before.Refresh || e.sim.LiveRefreshTokens() != 1 {
		t.Fatal("a failed refresh changed the saved token")
	}
	e.sim.SetFaults(simkit.Faults{})
	if err := c.Test(context.Background()); err != nil {
		t.Fatal(err)
	}
}
