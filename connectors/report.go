package connectors

// Reporter is an optional ability of a connector that counts something of its store an
// operator should see beside the queue's figures (listings the marketplace fulfils
// itself, listings it has locked). Report does no I/O and may be called at any time
// from any goroutine; it returns labels and values in words, which `status` shows.
type Reporter interface {
	Report() map[string]string
}
