package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	_ "syncagent/connectors/all" // every marketplace of the build
)

func init() {
	register(&command{name: "authorize", args: "STORE",
		summary: "connect a store that needs a one-time consent in a browser (IdeaSoft): opens the consent page, receives the code, saves the refresh token",
		run:     runAuthorize})
}

// consenter is a connector whose store is connected by a one-time consent in a browser
// (OAuth2 authorization code), after which it keeps the refresh token itself: IdeaSoft.
type consenter interface {
	// RedirectURI is the redirect URI registered for the store's app.
	RedirectURI() string
	// ConsentURL is the marketplace's consent page for redirectURI, carrying state.
	ConsentURL(redirectURI, state string) string
	// ExchangeCode trades the code the browser brought back for tokens and saves them.
	ExchangeCode(ctx context.Context, code, redirectURI string) error
	// TokenFile is where the refresh token is kept.
	TokenFile() string
}

// AuthorizeOptions are the command's flags.
type AuthorizeOptions struct {
	Listen    string        // loopback address to listen on instead of the redirect URI's ("127.0.0.1:0": any free port)
	Paste     bool          // do not listen: the user pastes the address the browser ends at
	NoBrowser bool          // print the address only
	Timeout   time.Duration // how long to wait for the consent
}

func runAuthorize(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("authorize"), env)
	path := configFlag(fs, env)
	var o AuthorizeOptions
	fs.StringVar(&o.Listen, "listen", "", "receive the browser on this loopback address instead of the redirect URI's, e.g. 127.0.0.1:0 for any free port (only when the marketplace accepts any port for a loopback redirect URI)")
	fs.BoolVar(&o.Paste, "paste", false, "do not listen for the browser: paste the address it ends at (when this PC cannot receive the redirect)")
	fs.BoolVar(&o.NoBrowser, "no-browser", false, "print the consent address without trying to open a browser")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "give up when the consent has not come back within this time")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(env.Stderr, "syncagent authorize: name one store: syncagent authorize STORE --config FILE")
		return exitUsage
	}
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		return code
	}
	store, ok := cfg.Store(pos[0])
	if !ok {
		return fail(env, "no store named %q in %s; the stores are: %s", pos[0], cfg.File, storeNames(cfg))
	}
	cs := store.Connector()
	conn, err := connectors.New(&cs, connectors.Deps{Log: zerolog.Nop(), Now: time.Now})
	if err != nil {
		return fail(env, "%v", err)
	}
	cons, ok := conn.(consenter)
	if !ok {
		return fail(env, "store %s (%s) needs no consent in a browser: its credentials in the config are all it needs; check them with: syncagent test-store %s", store.Name, store.Marketplace, store.Name)
	}
	return Authorize(ctx, env, store.Name, conn, cons, o)
}

// Authorize runs the consent of one store: it prints the consent page's address (and
// opens a browser where there is one), waits for the browser to come back to the
// loopback redirect URI, or for the user to paste the address it ended at, checks the
// state, exchanges the code, and checks the new token with the connector's Test. It
// returns the exit code.
func Authorize(ctx context.Context, env *Env, name string, conn connectors.Connector, cons consenter, o AuthorizeOptions) int {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	state := randomState()
	redirect := cons.RedirectURI()
	ru, err := url.Parse(redirect)
	if err != nil {
		return fail(env, "store %s: redirect URI %q cannot be read: %v", name, redirect, err)
	}
	var ln net.Listener
	if !o.Paste {
		addr := o.Listen
		if addr == "" && ru.Scheme == "http" && isLoopback(ru.Hostname()) {
			addr = net.JoinHostPort(listenHost(ru.Hostname()), portOf(ru))
		}
		if addr != "" {
			if ln, err = net.Listen("tcp", addr); err != nil {
				fmt.Fprintf(env.Stdout, "Cannot receive the browser on %s (%v); paste the address instead.\n", addr, err)
				ln = nil
			} else if o.Listen != "" {
				ru.Host = ln.Addr().String()
				redirect = ru.String()
			}
		}
	}
	consentURL := cons.ConsentURL(redirect, state)
	fmt.Fprintf(env.Stdout, "Connect store %s: open this address in a browser, log in to the shop's panel as its main admin and grant the access:\n\n  %s\n\n", name, consentURL)
	if ln != nil {
		fmt.Fprintf(env.Stdout, "Waiting for the browser to come back to %s ...\n(If the browser runs on another computer, copy the address it ends at from its address bar and paste it here.)\n", redirect)
	} else {
		fmt.Fprintf(env.Stdout, "The browser then goes to %s; copy the whole address from its address bar (the page itself may show an error) and paste it here:\n", redirect)
	}
	if !o.NoBrowser {
		if err := openBrowser(consentURL); err != nil {
			fmt.Fprintf(env.Stdout, "(No browser was opened: %v. Open the address yourself.)\n", err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	got := make(chan consentResult, 2)
	if ln != nil {
		srv := &http.Server{Handler: callback(ru.Path, state, got), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
	}
	go readPasted(ctx, env, state, ln == nil, got)
	var res consentResult
	select {
	case res = <-got:
	case <-ctx.Done():
		return fail(env, "no consent came back within %s; run `syncagent authorize %s` again", o.Timeout, name)
	}
	if res.err != nil {
		return fail(env, "store %s: %v", name, res.err)
	}
	if err := cons.ExchangeCode(ctx, res.code, redirect); err != nil {
		return fail(env, "store %s: %v", name, err)
	}
	fmt.Fprintf(env.Stdout, "The refresh token of store %s is saved in %s (readable by this account only).\n", name, cons.TokenFile())
	if t := connectors.AbilitiesOf(conn).Test; t != nil {
		if err := t.Test(ctx); err != nil {
			fmt.Fprintf(env.Stdout, "FAILED: the new consent does not work yet: %v\n", err)
			return exitError
		}
	}
	fmt.Fprintf(env.Stdout, "OK: store %s is connected. A running agent takes the new token up by itself.\n", name)
	return exitOK
}

type consentResult struct {
	code string
	err  error
}

// callback receives the browser at the redirect URI's path: a code with the right state
// ends the wait; a wrong state is refused (another consent, or a forged one) and the
// wait goes on.
func callback(path, state string, got chan<- consentResult) http.Handler {
	if path == "" {
		path = "/"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		code, err := fromRedirect(r.URL.Query(), state)
		if errors.Is(err, errState) {
			page(w, http.StatusBadRequest, "Bu adres bu bağlantı isteğine ait değil. / This is not the consent this command asked for; use the address it printed.")
			return
		}
		if err != nil {
			page(w, http.StatusOK, "İzin verilmedi; pencereyi kapatabilirsiniz. / The access was not granted; you can close this window.")
		} else {
			page(w, http.StatusOK, "Bağlantı kuruldu; bu pencereyi kapatabilirsiniz. / Connected; you can close this window.")
		}
		select {
		case got <- consentResult{code: code, err: err}:
		default:
		}
	})
}

func page(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>syncagent</title></head><body><p>%s</p></body></html>", html.EscapeString(msg))
}

var errState = errors.New("the state does not match")

// fromRedirect reads the query the browser came back with.
func fromRedirect(q url.Values, state string) (string, error) {
	if q.Get("state") != state {
		return "", errState
	}
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			return "", errors.New("the access was refused on the consent page (access_denied)")
		}
		return "", fmt.Errorf("the consent page answered %q %s", e, q.Get("error_description"))
	}
	if q.Get("code") == "" {
		return "", errors.New("the address has no code")
	}
	return q.Get("code"), nil
}

// readPasted reads pasted addresses (or their query) until one carries the state. With
// only pasting to wait for, the end of input ends the wait.
func readPasted(ctx context.Context, env *Env, state string, only bool, got chan<- consentResult) {
	if env.Stdin == nil {
		return
	}
	sc := bufio.NewScanner(env.Stdin)
	for sc.Scan() && ctx.Err() == nil {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		raw := line
		if i := strings.Index(line, "?"); i >= 0 {
			raw = line[i+1:]
		}
		q, err := url.ParseQuery(raw)
		if err == nil {
			var code string
			code, err = fromRedirect(q, state)
			if err == nil || !errors.Is(err, errState) {
				select {
				case got <- consentResult{code: code, err: err}:
				default:
				}
				return
			}
		}
		fmt.Fprintln(env.Stdout, "That is not the address the browser came back to (its state does not match this consent); paste the whole address from the browser's address bar:")
	}
	if only {
		select {
		case got <- consentResult{err: errors.New("nothing was pasted; run the command again and paste the address the browser ends at")}:
		default:
		}
	}
}

func randomState() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// listenHost never listens on more than the loopback interface.
func listenHost(host string) string {
	if host == "localhost" {
		return "127.0.0.1"
	}
	return host
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return "80"
}

// openBrowser asks the desktop to open u, where there is a desktop; it never waits for
// the browser.
func openBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	case "darwin":
		cmd = exec.Command("open", u)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no desktop session")
		}
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
