package logging

// The component names, the values of the "component" field. `syncagent logs
// --component C` filters by them, docs/install.md lists them, and every logger of the
// agent is derived with one of them (Component), so a name is never typed twice.
const (
	CompAgent      = "agent"      // start, stop, the banner
	CompScheduler  = "scheduler"  // cron jobs: missed runs, panics, skipped ticks
	CompQueue      = "queue"      // the SQLite store's housekeeping: journal retention, WAL checkpoints
	CompDropFolder = "dropfolder" // drop folders: files taken, imported, moved
	CompSQLPoll    = "sqlpoll"    // ERP database readings
	CompPush       = "push"       // a store's push loop
	CompConnector  = "connector"  // a store's marketplace client (HTTP exchanges at debug)
	CompOrders     = "orders"     // order fetching and the write-back to the ERP
	CompService    = "service"    // the service adapter
)

// Components lists the names, for --component's help and its check.
var Components = []string{CompAgent, CompScheduler, CompQueue, CompDropFolder, CompSQLPoll, CompPush, CompConnector, CompOrders, CompService}
