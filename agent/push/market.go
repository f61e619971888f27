package push

import (
	"context"
	"fmt"
	"runtime/debug"

	"syncagent/connectors"
	"syncagent/queue"
)

// Pusher is what a loop needs of a store's connector. A connector that also reads the
// results of asynchronous batches (connectors.ResultChecker) or what the store shows
// (connectors.ReadBacker) is used for those as well.
type Pusher interface {
	// Push sends items in one request; see connectors.Connector.
	Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error)
}

// market is the store's connector as the loop calls it; no other part calls it.
type market struct {
	store
	pusher  Pusher
	results connectors.ResultChecker // nil: pushes are confirmed in their answer
	reader  connectors.ReadBacker    // nil: what the store shows cannot be read
}

func newMarket(st store, conn Pusher) *market {
	m := &market{store: st, pusher: conn}
	m.results, _ = conn.(connectors.ResultChecker)
	m.reader, _ = conn.(connectors.ReadBacker)
	return m
}

// push sends items, turning a panic of the connector into an error of unknown outcome
// (the request may have gone out), so a connector bug costs a retry, not a lease held
// until it expires.
func (m *market) push(ctx context.Context, items []connectors.Item) (out connectors.Outcomes, err error) {
	defer func() {
		if r := recover(); r != nil {
			m.log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).Msg("the connector panicked during a push")
			out, err = nil, &connectors.Error{Kind: connectors.Unknown, Message: fmt.Sprintf("the %s connector failed (%v)", m.marketplace, r)}
		}
	}()
	return m.pusher.Push(ctx, items)
}

// async reports whether batch results can be read (else an awaiting batch is settled by
// reading back what the store shows).
func (m *market) async() bool { return m.results != nil }

// checkResults reads the result of the batch ref for rows.
func (m *market) checkResults(ctx context.Context, ref string, rows []queue.Claimed) (connectors.Outcomes, error) {
	return m.results.CheckResults(ctx, ref, toItems(rows))
}

// canReadBack reports whether what the store shows can be read.
func (m *market) canReadBack() bool { return m.reader != nil }

// readBack reads what the store shows for rows.
func (m *market) readBack(ctx context.Context, rows []queue.Claimed) (map[string]connectors.Observed, error) {
	return m.reader.ReadBack(ctx, toItems(rows))
}

// toItems converts claimed rows to the connector's items.
func toItems(rows []queue.Claimed) []connectors.Item {
	out := make([]connectors.Item, len(rows))
	for i, c := range rows {
		out[i] = connectors.Item{
			SKU: c.SKU, Barcode: c.Barcode,
			Qty: c.Qty, Price: c.Price, ListPrice: c.ListPrice,
			ConfQty: c.ConfQty, ConfPrice: c.ConfPrice, ConfListPrice: c.ConfListPrice,
		}
	}
	return out
}
