package queue

import (
	"context"
	"time"
)

// BookingGrace is how long the fate of work already done may still be written after its
// component was asked to stop.
const BookingGrace = 3 * time.Second

// BookingContext is the context in which a component records the fate of work it has
// done (a push's outcomes, an order's write to the ERP): ctx while it runs; once ctx is
// cancelled because the component is stopping, a context that lasts BookingGrace longer,
// so what happened at the marketplace or the ERP still reaches the queue.
func BookingContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithoutCancel(ctx), BookingGrace)
}
