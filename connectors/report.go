package connectors

// Reporter is implemented by a connector that knows something about its store the queue
// cannot: listings the marketplace keeps out of the agent's reach (Hepsiburada's own
// warehouse stock), listings it has locked. The status report shows each fact under the
// store, sorted by key.
type Reporter interface {
	// Report returns facts keyed by a stable name ("fulfilled_by_marketplace",
	// "locked"), each value one plain English sentence with its count and a few SKUs as
	// examples; an empty map when there is nothing to tell. It does no I/O (it reports
	// what the connector learned from its last reads) and is safe to call from any
	// goroutine; it never returns a credential.
	Report() map[string]string
}
