package queue

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"syncagent/connectors/money"
)

func benchStore(b *testing.B, stores int) *Store {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	rules := map[string]Rules{}
	for i := 0; i < stores; i++ {
		rules[fmt.Sprintf("store%d", i)] = passThrough
	}
	s.SetStores(rules)
	return s
}

// BenchmarkApply measures batched item upserts: batches of 1000 changes (quantity and
// price, each a new value) over a 100k-SKU catalogue, recomputing the desired state for 1
// and 3 active stores. Target: ≥ 50k items/s.
func BenchmarkApply(b *testing.B) {
	for _, stores := range []int{1, 3} {
		b.Run(fmt.Sprintf("batch=1000/stores=%d", stores), func(b *testing.B) {
			s := benchStore(b, stores)
			ctx := context.Background()
			batch := make([]ItemChange, 1000)
			iter := 0
			start := time.Now()
			for b.Loop() {
				iter++
				base := (iter * 1000) % 100000
				for i := range batch {
					q := int64(iter)
					p := money.Kurus(10000 + iter)
					batch[i] = ItemChange{SKU: fmt.Sprintf("SKU-%06d", base+i), Warehouse: "MERKEZ", Qty: &q,
						PriceList: "default", Price: &p, Source: Source{Kind: "file", Ref: "bench.xlsx", Row: i + 2}}
				}
				res, err := s.Apply(ctx, batch)
				if err != nil {
					b.Fatal(err)
				}
				if res.Applied != 1000 {
					b.Fatalf("applied %d", res.Applied)
				}
			}
			b.ReportMetric(float64(iter*1000)/time.Since(start).Seconds(), "items/s")
		})
	}
}

// BenchmarkClaimConfirm claims and confirms batches of 1000 with a 1M-row dirty backlog.
// Target: ≥ 20k items/s.
func BenchmarkClaimConfirm(b *testing.B) {
	s := benchStore(b, 1)
	ctx := context.Background()
	const backlog = 1_000_000
	_, err := s.w.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO outbox (store, sku, want_qty, want_price, changed_at, next_at)
		SELECT 'store0', printf('SKU-%07d', i), i % 500, 1000 + i, i, i FROM n`, backlog)
	if err != nil {
		b.Fatal(err)
	}
	var claimed int
	var claimTime time.Duration
	start := time.Now()
	for b.Loop() {
		t0 := time.Now()
		c, err := s.Claim(ctx, "store0", 1000)
		claimTime += time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		if len(c) < 1000 {
			b.Fatalf("backlog exhausted after %d items", claimed)
		}
		if err := s.Confirm(ctx, c); err != nil {
			b.Fatal(err)
		}
		claimed += len(c)
	}
	el := time.Since(start)
	b.ReportMetric(float64(claimed)/el.Seconds(), "items/s")
	b.ReportMetric(float64(claimTime.Microseconds())/float64(claimed/1000)/1000, "ms/claim-of-1000")
}

// BenchmarkApplyNew measures a first import: every change is a new item with a quantity
// and a price (what a first drop of a large file or a first SQL snapshot does), with no
// active store and with one.
func BenchmarkApplyNew(b *testing.B) {
	for _, stores := range []int{0, 1} {
		b.Run(fmt.Sprintf("stores=%d", stores), func(b *testing.B) { benchApplyNew(b, stores) })
	}
}

func benchApplyNew(b *testing.B, stores int) {
	s := benchStore(b, stores)
	ctx := context.Background()
	batch := make([]ItemChange, 1000)
	iter := 0
	start := time.Now()
	for b.Loop() {
		for i := range batch {
			q := int64(i)
			p := money.Kurus(10000 + i)
			batch[i] = ItemChange{SKU: fmt.Sprintf("SKU-%09d", iter*1000+i), Warehouse: "MERKEZ", Qty: &q,
				PriceList: "default", Price: &p, Source: Source{Kind: "file", Ref: "bench.xlsx", Row: i + 2}}
		}
		iter++
		if _, err := s.Apply(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(iter*1000)/time.Since(start).Seconds(), "items/s")
}
