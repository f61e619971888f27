package push

import (
	"context"
	"time"
)

// desiredState makes sure the outbox holds the store's desired state under its current
// rules before anything is pushed: when the rules changed since it was computed, or the
// store was passive (or unknown) until now, it is recomputed, once per loop.
type desiredState struct {
	store
	q    Queue
	hash string // the fingerprint of the current rules
	now  func() time.Time
	done bool
}

// ensure recomputes the desired state if it has to; an error leaves it to the next try.
func (d *desiredState) ensure(ctx context.Context) error {
	if d.done {
		return nil
	}
	have, err := d.q.RulesHash(ctx, d.name)
	if err != nil {
		return err
	}
	if have != d.hash {
		if err := d.recompute(ctx, have); err != nil {
			return err
		}
	}
	d.done = true
	return nil
}

func (d *desiredState) recompute(ctx context.Context, have string) error {
	started := d.now()
	n, err := d.q.RecomputeStore(ctx, d.name)
	if err != nil {
		return err
	}
	if err := d.q.RecordRulesHash(ctx, d.name, d.hash); err != nil {
		return err
	}
	why := "the store's rules changed"
	switch have {
	case "":
		why = "the store is new"
	case PassiveRules:
		why = "the store became active"
	}
	d.log.Info().Int("items", n).Dur("took", d.now().Sub(started)).
		Msgf("%s: desired stock and prices of %s recomputed for %d items; values that differ from the marketplace's are pushed now", why, d.name, n)
	return nil
}
