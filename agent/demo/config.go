package demo

import (
	"fmt"
	"os"
	"path/filepath"
)

// configTemplate is the demo's config: the three simulated stores with different rules,
// one drop folder, schedules short enough to watch. Paths are relative to the file.
const configTemplate = `# syncagent demo configuration, written by 'syncagent demo'.
# The stores are simulators inside the demo process; they exist only while it runs.
data_dir: ./data
log:
  level: info
  console: never

queue:
  retry_base: 5s
  retry_max: 1m

stores:
  - name: trendyol-demo
    marketplace: trendyol
    base_url: %q
    credentials:
      seller_id: %q
      api_key: %q
      api_secret: %q
      integrator: SyncAgentDemo
    schedule:
      push: "@every 1m"
      debounce: 1s
      max_delay: 5s
    rules:
      scope: stock+price
      markup_percent: 10
      rounding: ".90"
      list_price: list
    orders:
      fetch: false

  - name: pazarsync-demo
    marketplace: pazarsync
    base_url: %q
    credentials:
      client_id: %q
      client_secret: %q
    schedule:
      push: "@every 1m"
      debounce: 1s
      max_delay: 5s
    rules:
      scope: stock
      stock_buffer: 2
      stock_cap: 50
    orders:
      fetch: false

  - name: giyimmoda-demo
    marketplace: giyimmoda
    base_url: %q
    credentials:
      api_key: %q
      api_secret: %q
    schedule:
      push: "@every 1m"
      debounce: 1s
      max_delay: 5s
    rules:
      scope: all
      add: 5.00
      min_price: 99.90
    orders:
      fetch: false

sources:
  drop_folders:
    - name: demo-drop
      path: ./drop
      quiet_period: 1s
      poll_interval: 5s
      warehouse: MERKEZ
      price_list: default
`

// writeConfig writes dir/config.yaml for the running simulators.
func writeConfig(dir string, ms markets) (string, error) {
	url := map[string]string{}
	for _, m := range ms {
		url[m.store] = m.url
	}
	text := fmt.Sprintf(configTemplate,
		trendyolBase(url["trendyol-demo"]), trendyolSeller, trendyolKey, trendyolSecret,
		pazarBase(url["pazarsync-demo"]), pazarClient, pazarSecret,
		giyimBase(url["giyimmoda-demo"]), giyimKey, giyimSecret)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return "", err
	}
	return path, nil
}

// The simulators stand for the marketplaces' hosts; these are the base URLs the
// connectors take in place of their production addresses.
func trendyolBase(u string) string { return u + "/integration" }
func pazarBase(u string) string    { return u }
func giyimBase(u string) string    { return u }
