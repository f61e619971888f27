package push

import "context"

// pushAll claims and pushes batches until nothing claimable is left, the gate shuts, or
// the loop stops. Up to Parallel requests are in flight at once: the connector's pacer
// keeps them within the marketplace's rate, and while one request waits for its answer
// the next batch is claimed and sent. Claims and every booking stay on the loop's
// goroutine (SQLite has one writer anyway); only the connector's Push runs beside it.
//
// Sending comes first, so a rate limit's burst is used fully: a batch that came back
// accepted waits (still leased) while the loop claims and sends the next, and while every
// request in flight waits for the pacer the loop books what came back and claims up to
// Ahead batches (one rate window's worth) in advance, so that when the window opens only
// the cheap sends and bookings are left. A failed request is booked at once, since it may
// stop the cycle; the parts of a batch refused for its content are sent next. At most
// maxUnbooked accepted batches wait for booking and Ahead claimed ones for a slot, which
// bounds how long their leases are held.
func (s *sender) pushAll(ctx context.Context, st *cycleStats) {
	landed := make(chan *flight, s.set.Parallel)
	var unbooked, ready []*flight
	inFlight := 0
	stop := false  // a failure ended the sending: let what is in flight land, send nothing more
	empty := false // nothing claimable is left (or claiming failed)
	take := func(f *flight) {
		inFlight--
		if f.err == nil {
			s.gate.succeeded()
			unbooked = append(unbooked, f)
			return
		}
		v := s.land(ctx, f, st)
		stop = stop || v.stop
		if len(v.split) > 0 {
			ready = append(s.readyAll(ctx, v.split), ready...)
		}
	}
	defer func() {
		for _, f := range ready {
			s.book.release(f.claimed)
		}
	}()
	for {
		for collecting := true; collecting && inFlight > 0; {
			select {
			case f := <-landed:
				take(f)
			default:
				collecting = false
			}
		}
		sending := !stop && s.mayPush(ctx)
		canSend := sending && inFlight < s.set.Parallel
		switch {
		case canSend && len(ready) > 0:
			s.start(ctx, ready[0], landed, st)
			ready = ready[1:]
			inFlight++
			continue
		case canSend && !empty && len(unbooked) < maxUnbooked:
			if f := s.next(ctx, st, &empty); f != nil {
				s.start(ctx, f, landed, st)
				inFlight++
			}
			continue
		case len(unbooked) > 0:
			s.land(ctx, unbooked[0], st)
			unbooked = unbooked[1:]
			continue
		case sending && !empty && inFlight > 0 && len(ready) < s.set.Ahead:
			if f := s.next(ctx, st, &empty); f != nil {
				ready = append(ready, f)
			}
			continue
		}
		if inFlight == 0 && (len(ready) == 0 || !sending) {
			return
		}
		if inFlight > 0 {
			take(<-landed)
		}
	}
}

// maxUnbooked accepted batches may wait for their booking while the loop sends.
const maxUnbooked = 64

// mayPush reports whether the loop may send now.
func (s *sender) mayPush(ctx context.Context) bool { return ctx.Err() == nil && s.gate.open() }

// start sends a batch on its own goroutine; its answer comes back on landed.
func (s *sender) start(ctx context.Context, f *flight, landed chan<- *flight, st *cycleStats) {
	st.requests++
	f.sentAt = s.set.Now()
	go func() {
		f.out, f.err = s.market.push(ctx, f.items)
		f.took = s.set.Now().Sub(f.sentAt)
		landed <- f
	}()
}

// land notes a finished request for the duplicate rule and books it.
func (s *sender) land(ctx context.Context, f *flight, st *cycleStats) verdict {
	if f.err != nil {
		if mayHaveArrived(f.err) {
			s.recent.note(f.key, f.sentAt)
		}
		return s.book.failed(ctx, f.claimed, f.err, f.sentAt, st)
	}
	s.recent.note(f.key, f.sentAt)
	s.book.pushed(ctx, f.claimed, f.out, f.sentAt, f.took, st)
	return verdict{}
}
