package ideasoft

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"syncagent/connectors/httpx"
)

// tokenFile is what the data dir keeps of a store's consent: the one refresh token
// IdeaSoft accepts now, and the access token it came with.
type tokenFile struct {
	Version     int       `json:"v"`
	Store       string    `json:"store"`
	Shop        string    `json:"shop"`
	Client      string    `json:"client"` // a hash of the client id: which API app the tokens are for
	Refresh     string    `json:"refresh_token"`
	RefreshAt   time.Time `json:"refresh_obtained"`
	Access      string    `json:"access_token,omitempty"`
	AccessUntil time.Time `json:"access_expires,omitzero"`
	Seq         int64     `json:"seq"` // grows with every save: a left-over temporary file newer than the file is a save cut short
}

// tokenStore reads and writes one store's token file. Its mutex is held for a whole
// refresh or consent, so two never overlap.
type tokenStore struct {
	dir, path string
	store     string
	shop      string
	client    string
	clock     httpx.Clock

	mu      sync.Mutex
	hook    func(stage string)
	pending *tokenFile // refreshed but not yet saved (the disk refused); saved before use
}

// TokenPath is where a store's refresh token is kept inside the data dir.
func TokenPath(dataDir, store string) string {
	return filepath.Join(dataDir, "tokens", store+".ideasoft.json")
}

func newTokenStore(dataDir, store, shop, clientID string, clock httpx.Clock) *tokenStore {
	sum := sha256.Sum256([]byte(clientID))
	p := TokenPath(dataDir, store)
	return &tokenStore{dir: filepath.Dir(p), path: p, store: store, shop: shop,
		client: hex.EncodeToString(sum[:8]), clock: clock}
}

// stage tells the test hook where a refresh or save has got to.
func (ts *tokenStore) stage(s string) {
	if ts.hook != nil {
		ts.hook(s)
	}
}

// load reads the token file. A temporary file left by a save that was cut short after
// its data reached the disk, and that is newer than the file, is the latest token: the
// save is completed. Any other left-over is removed. nil, nil: no consent yet.
func (ts *tokenStore) load() (*tokenFile, error) {
	main, err := readTokenFile(ts.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	tmp, terr := readTokenFile(ts.path + ".tmp")
	switch {
	case terr == nil && (main == nil || tmp.Seq > main.Seq):
		if err := replaceFile(ts.path+".tmp", ts.path); err != nil {
			return nil, fmt.Errorf("completing an interrupted save of %s: %w", ts.path, err)
		}
		if err := syncDir(ts.dir); err != nil {
			return nil, err
		}
		return tmp, nil
	case !errors.Is(terr, fs.ErrNotExist):
		_ = os.Remove(ts.path + ".tmp") // torn or older: the file itself is the latest
	}
	return main, nil
}

func readTokenFile(path string) (*tokenFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f tokenFile
	if err := json.Unmarshal(b, &f); err != nil || f.Version != 1 || f.Refresh == "" {
		return nil, fmt.Errorf("%s is not a complete token file", path)
	}
	return &f, nil
}

// save writes f durably: a temporary file readable by this account only, its data
// synced, renamed over the file, the folder synced. Only then may the caller use what
// f holds.
func (ts *tokenStore) save(f *tokenFile) error {
	f.Version, f.Store, f.Shop, f.Client = 1, ts.store, ts.shop, ts.client
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := prepareDir(ts.dir); err != nil {
		return fmt.Errorf("creating %s: %w", ts.dir, err)
	}
	tmp := ts.path + ".tmp"
	if err := writeSecret(tmp, data); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	ts.stage("written")
	if err := replaceFile(tmp, ts.path); err != nil {
		return fmt.Errorf("renaming %s: %w", tmp, err)
	}
	ts.stage("renamed")
	if err := syncDir(ts.dir); err != nil {
		return fmt.Errorf("syncing %s: %w", ts.dir, err)
	}
	ts.stage("saved")
	ts.pending = nil
	return nil
}

// writeSecret creates path for this account only, restricts it before the secret is
// written, and syncs the data.
func writeSecret(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := restrict(f, path); err != nil {
		f.Close()
		return fmt.Errorf("restricting %s to this account: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// flushPending saves a refreshed token the disk refused earlier, before anything else.
func (ts *tokenStore) flushPending() error {
	if ts.pending == nil {
		return nil
	}
	return ts.save(ts.pending)
}

// OnTokenSave installs a test hook told each stage of a refresh and of a save: "loaded"
// (the refresh token is read and about to be sent), "refreshed" (IdeaSoft answered;
// nothing written yet), "written" (the temporary file is
// on disk), "renamed" (it replaced the token file), "saved" (the folder is synced; the
// new token may now be used). A crash test exits the process in the hook.
func (c *Client) OnTokenSave(hook func(stage string)) {
	c.tokens.mu.Lock()
	c.tokens.hook = hook
	c.tokens.mu.Unlock()
}

// TokenFile is the path of the store's token file.
func (c *Client) TokenFile() string { return c.tokens.path }
