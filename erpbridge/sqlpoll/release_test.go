package sqlpoll

import (
	"testing"
	"time"

	"syncagent/queue"
	"syncagent/queue/queuetest"
)

// A completed snapshot reading that began after an order was written to the ERP
// releases the order's reservation; one that began before does not.
func TestSnapshotReadingReleasesWrittenOrders(t *testing.T) {
	e := liteERP(t)
	tb := stockTable(t, e)
	e.exec(t, "INSERT INTO "+tb+" VALUES ('A', '', 'MERKEZ', 5, '10.50')")
	st := openStore(t)
	st.SetStores(map[string]queue.Rules{"ty": queue.RulesFunc(func(*queue.Item) queue.Desired { return queue.Desired{} })})
	clock := time.Now()
	p := newPoller(t, source(e, "erp", "SELECT code AS sku, depo AS warehouse, miktar AS quantity FROM "+tb), st,
		Options{Now: func() time.Time { return clock }})
	mustRead(t, p)

	clock = time.Now().Add(-time.Hour) // this reading's query began before the write-back
	num := queuetest.WrittenOrder(t, st, "ty", "1", "A", "MERKEZ", 2)
	mustRead(t, p)
	if state, _ := queuetest.ReservationState(t, st, "ty", num); state != "held" {
		t.Fatalf("a reading begun before the write-back released the reservation (%s)", state)
	}
	clock = time.Now().Add(time.Second)
	e.exec(t, "UPDATE "+tb+" SET miktar = 3 WHERE code = 'A'")
	mustRead(t, p)
	if state, by := queuetest.ReservationState(t, st, "ty", num); state != "released" || by != "shown by the ERP reading of erp" {
		t.Fatalf("after a reading taken after the write-back: %s by %q", state, by)
	}
}
