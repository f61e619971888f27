package conformance

import (
	"errors"
	"testing"

	"syncagent/connectors"
	"syncagent/connectors/sim/simkit"
)

// testConvergence drives the connector the way the push loop does, through failing
// requests and refused items, while the desired values keep changing; at the end the
// simulator shows exactly what was confirmed, and what was confirmed is what was
// desired, except for the items the marketplace refused.
func testConvergence(t *testing.T, e *env) {
	ps := e.seed(20)
	caps := e.caps()
	batch := min(caps.MaxBatch, 6)
	conf, desired, refused := map[string]change{}, map[string]change{}, map[string]change{}
	for _, p := range ps {
		conf[p.SKU], desired[p.SKU] = unchanged(p), unchanged(p)
	}
	e.sim.SetFaults(simkit.Faults{Seed: 7, ErrorRate: 0.3, ErrorStatus: 503, Only: []string{e.sim.PushEndpoint},
		RejectKeys: map[string]string{e.sim.Key(ps[3]): "R3", e.sim.Key(ps[11]): "R11"}})
	for round := 0; round < 16; round++ {
		if round < 3 {
			for i, p := range ps {
				if (i+round)%2 == 0 {
					desired[p.SKU] = bump(p, 7*round+i+1)
				}
			}
		}
		if round == 10 { // the outage ends; refusals stay
			e.sim.SetFaults(simkit.Faults{RejectKeys: map[string]string{e.sim.Key(ps[3]): "R3", e.sim.Key(ps[11]): "R11"}})
		}
		var dirty []connectors.Item
		sent := map[string]change{}
		for _, p := range ps {
			d := desired[p.SKU]
			if same(d, conf[p.SKU]) || same(d, refused[p.SKU]) {
				continue
			}
			c := conf[p.SKU]
			base := Product{SKU: p.SKU, Barcode: p.Barcode, Qty: c.qty, Price: c.price, ListPrice: c.list}
			d.p = base
			sent[p.SKU] = d
			dirty = append(dirty, e.item(d))
		}
		if len(dirty) == 0 && round >= 3 {
			break
		}
		for len(dirty) > 0 {
			items := dirty[:min(batch, len(dirty))]
			dirty = dirty[len(items):]
			out, err := e.push(items)
			var ce *connectors.Error
			switch {
			case err == nil:
			case errors.As(err, &ce) && (ce.Kind == connectors.Transient || ce.Kind == connectors.RetryAfter):
				continue
			case errors.As(err, &ce) && ce.Kind == connectors.Unknown:
				e.clock.Advance(e.sim.AsyncDelay)
				for sku, ob := range e.readBack(items) {
					c := sent[sku]
					conf[sku] = observed(c, ob)
				}
				continue
			default:
				t.Fatalf("round %d: %v", round, err)
			}
			for sku, o := range e.resolve(items, out) {
				switch o.Status {
				case connectors.Confirmed:
					conf[sku] = sent[sku]
				case connectors.Rejected:
					refused[sku] = sent[sku]
				case connectors.Pending:
					t.Fatalf("SKU %s still pending after its results were read", sku)
				}
			}
		}
	}
	for i, p := range ps {
		c := conf[p.SKU]
		c.p = p
		e.wantState(c)
		if i == 3 || i == 11 {
			if !same(refused[p.SKU], desired[p.SKU]) {
				t.Fatalf("SKU %s: refused values are not the last desired ones", p.SKU)
			}
			continue
		}
		if !same(c, desired[p.SKU]) {
			t.Fatalf("SKU %s confirmed %+v, desired %+v", p.SKU, c, desired[p.SKU])
		}
	}
	if e.stats(e.sim.PushEndpoint).ServerErrors == 0 {
		t.Fatal("no injected failures happened; the case proves little")
	}
}

func same(a, b change) bool {
	return a.qty == b.qty && a.price == b.price && max(a.list, a.price) == max(b.list, b.price)
}

// observed is what ReadBack says, as a change over the values that were sent.
func observed(sent change, ob connectors.Observed) change {
	c := sent
	if ob.Qty != nil {
		c.qty = *ob.Qty
	}
	if ob.Price != nil {
		c.price = *ob.Price
	}
	if ob.ListPrice != nil {
		c.list = *ob.ListPrice
	}
	return c
}
