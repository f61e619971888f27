package dropfolder

import (
	"context"
	"os"
	"testing"
	"time"

	"syncagent/queue"
	"syncagent/queue/queuetest"
)

// A dropped stock list is an ERP reading dated by the file's modification time (when the
// ERP exported it): a file written after an order went to the ERP releases the order's
// reservation, one written before does not, whenever it is imported.
func TestImportReleasesOrdersWrittenBeforeTheFileWasExported(t *testing.T) {
	im, st, root := newImporter(t, "name: stok\nwarehouse: MERKEZ\n")
	st.SetStores(map[string]queue.Rules{"ty": queue.RulesFunc(func(*queue.Item) queue.Desired { return queue.Desired{} })})
	ctx := context.Background()
	importAt := func(name, qty string, mtime time.Time) {
		t.Helper()
		p := csvFile(t, root, name, "Stok Kodu;Miktar", []string{"A;" + qty})
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		res, err := im.Import(ctx, Request{Path: p})
		if err != nil {
			t.Fatal(err)
		}
		res.Close()
	}
	importAt("first.csv", "5", time.Now().Add(-2*time.Hour))
	num := queuetest.WrittenOrder(t, st, "ty", "1", "A", "MERKEZ", 2)

	importAt("old-export.csv", "5", time.Now().Add(-time.Hour)) // exported before the write-back
	if state, _ := queuetest.ReservationState(t, st, "ty", num); state != "held" {
		t.Fatalf("a file exported before the write-back released the reservation (%s)", state)
	}
	importAt("new-export.csv", "3", time.Now().Add(time.Second))
	if state, by := queuetest.ReservationState(t, st, "ty", num); state != "released" || by != "shown by the ERP reading of stok" {
		t.Fatalf("after a file exported after the write-back: %s by %q", state, by)
	}
}
