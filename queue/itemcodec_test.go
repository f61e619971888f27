package queue

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"syncagent/connectors/money"
)

func TestItemCodecRoundTrip(t *testing.T) {
	stock := map[string]int64{"MERKEZ": 5, "DEPO 2": 0, "İzmir-ş": 1 << 40}
	got := map[string]int64{}
	enc := encodeStock(stock)
	if err := decodeStock(enc, got); err != nil || !reflect.DeepEqual(got, stock) {
		t.Fatalf("stock %q → %v %v", enc, got, err)
	}
	if encodeStock(stock) != enc {
		t.Fatal("encoding is not deterministic")
	}
	p, lp := money.Kurus(124990), money.Kurus(0)
	prices := map[string]PriceEntry{"default": {Price: &p}, "PSF": {ListPrice: &lp}, "both": {Price: &p, ListPrice: &p}}
	gotP := map[string]PriceEntry{}
	if err := decodePrices(encodePrices(prices), gotP); err != nil || !reflect.DeepEqual(gotP, prices) {
		t.Fatalf("prices %v %v", gotP, err)
	}
	for _, bad := range []string{"x", "W\x1fnotanumber"} {
		if decodeStock(bad, map[string]int64{}) == nil {
			t.Errorf("decodeStock(%q) accepted", bad)
		}
	}
	if decodePrices("L\x1f1", map[string]PriceEntry{}) == nil {
		t.Error("short price record accepted")
	}
}

func TestControlCharactersInNamesAreRefused(t *testing.T) {
	s, _ := open(t, Options{})
	_, err := s.Apply(context.Background(), []ItemChange{qty("A", "W\x1e2", 1)})
	if err == nil || !strings.Contains(err.Error(), "control character") {
		t.Fatalf("err = %v", err)
	}
}

func TestManyWarehousesAndListsSurviveReload(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	mustApply(t, s, qty("A", "W1", 1), qty("A", "W2", 2), price("A", 100),
		ItemChange{SKU: "A", PriceList: "PSF", ListPrice: kr(150), Source: Source{Kind: "file"}})
	mustApply(t, s, qty("A", "W1", 3))
	tx, _ := s.begin(ctx)
	defer tx.Rollback()
	items, err := loadItems(ctx, tx, []string{"A"})
	if err != nil {
		t.Fatal(err)
	}
	it := items["A"]
	if it.Stock["W1"] != 3 || it.Stock["W2"] != 2 || *it.Prices["default"].Price != 100 || *it.Prices["PSF"].ListPrice != 150 || it.Prices["PSF"].Price != nil {
		t.Fatalf("%+v", it.Item)
	}
}

func TestOneJournalRowPerChangeReadBackPerField(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	q, p := int64(4), money.Kurus(1299)
	mustApply(t, s, ItemChange{SKU: "A", Barcode: "8680000000017", Warehouse: "W", Qty: &q, PriceList: "L", Price: &p,
		Source: Source{Kind: "file", Ref: "a.csv", Row: 2}}, qty("A", "W", 5))
	var rows int
	s.r.QueryRow("SELECT COUNT(*) FROM journal").Scan(&rows)
	if rows != 2 {
		t.Fatalf("%d journal rows for two changes", rows)
	}
	j, err := s.Journal(ctx, "A", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range j {
		got = append(got, e.Field+" "+e.Old+"→"+e.New+" @"+e.Source.Ref)
	}
	want := []string{"qty:W 4→5 @stok.xlsx", "price:L →12.99 @a.csv", "qty:W →4 @a.csv", "barcode →8680000000017 @a.csv"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("journal, newest first:\n%q\nwant\n%q", got, want)
	}
	if j, _ := s.Journal(ctx, "A", 2); len(j) != 2 {
		t.Fatalf("limit not kept: %d", len(j))
	}
	if d := decodeJournal(encodeJournal([]FieldDiff{{Field: "barcode", Old: "a\x1eb", New: "c\x1fd"}})); d[0] != [3]string{"barcode", "a b", "c d"} {
		t.Fatalf("separators in values: %q", d)
	}
}
