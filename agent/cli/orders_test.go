package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"syncagent/config"
	"syncagent/connectors/order"
	"syncagent/queue"
)

func cliOrder(id string, st order.Status, q int64) order.Order {
	o := order.Order{Marketplace: "trendyol", ID: id, Number: id, RawStatus: "Created", Currency: "TRY",
		OrderedAt: time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC), Customer: order.Customer{Name: "Ayşe Yılmaz"},
		Packages: []order.Package{{ID: "p" + id, Status: st, Lines: []order.Line{{ID: "1", SKU: "A1", Quantity: q, UnitPrice: 14999, Total: 14999 * 2}}}}}
	o.Derive()
	return o
}

func TestOrdersCommand(t *testing.T) {
	ctx := context.Background()
	file := writeConfig(t, "")
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	policy := queue.OrderPolicy{Transfer: true, Deduct: true, Warehouse: "MERKEZ", Release: queue.ReleaseERPReading}
	if _, err := st.PutOrders(ctx, queue.OrderBatch{Store: "ty", Policy: policy, Orders: []order.Order{
		cliOrder("10654411111", order.New, 2), cliOrder("10654422222", order.Awaiting, 1)}}); err != nil {
		t.Fatal(err)
	}
	jobs, _ := st.DueTransfers(ctx, 10)
	if len(jobs) != 1 {
		t.Fatalf("%d due", len(jobs))
	}
	if err := st.BookTransfers(ctx, []queue.TransferOutcome{{Job: jobs[0], Err: errors.New("sink erp-orders, order 10654411111: ERP unreachable: connection refused")}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	code, out, errOut := runCLI(t, ctx, "orders", "--config", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"10654411111", "new (Created)", "299.98 TRY", "1/2", "failed, next try", "2 held",
		"ERP unreachable: connection refused", "10654422222", "awaiting", "waiting", "1 held"} {
		if !strings.Contains(out, want) {
			t.Errorf("orders output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Ayşe") || strings.Contains(out, canary) {
		t.Fatalf("orders output shows a customer or a secret:\n%s", out)
	}
	if code, out, _ := runCLI(t, ctx, "orders", "--config", file, "--store", "ps", "--since", "1d"); code != 0 || !strings.Contains(out, "no orders match") {
		t.Fatalf("filtered: %d %s", code, out)
	}
	if code, _, errOut := runCLI(t, ctx, "orders", "--config", file, "--since", "soon"); code != exitUsage || !strings.Contains(errOut, "--since") {
		t.Fatalf("bad since: %d %s", code, errOut)
	}

	code, out, errOut = runCLI(t, ctx, "orders", "retry", "10654411111", "--config", file)
	if code != 0 || !strings.Contains(out, "queued again") {
		t.Fatalf("retry: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, ctx, "orders", "retry", "999", "--config", file); code != exitError || !strings.Contains(errOut, `no order "999"`) {
		t.Fatalf("retry of an unknown order: %d %s", code, errOut)
	}
	if code, out, _ := runCLI(t, ctx, "orders", "--config", file, "--pending"); code != 0 || !strings.Contains(out, "pending") || strings.Contains(out, "failed,") {
		t.Fatalf("after retry: %s", out)
	}

	ro, err := queue.Open(ctx, cfg.DBPath(), queue.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var b strings.Builder
	if err := WriteOrdersStatus(ctx, &b, cfg, ro, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ORDERS", "ty", "3 in 2 orders", "SINKS", "erp-orders", "no writes yet"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), canary) {
		t.Fatal("status shows a secret")
	}
}
