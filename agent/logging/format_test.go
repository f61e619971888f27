package logging

import "testing"

func TestAppendReadable(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		color          bool
	}{
		{"full line",
			`{"level":"warn","component":"pusher","store":"trendyol-main","attempt":3,"error":"HTTP 503: Service Unavailable","time":"2026-11-23T10:15:00.123+03:00","message":"stock push failed; retrying in 40s"}`,
			`2026-11-23 10:15:00.123 +03 WRN pusher trendyol-main: stock push failed; retrying in 40s attempt=3 error="HTTP 503: Service Unavailable"`, false},
		{"no store, plain and foreign values",
			`{"level":"info","component":"importer","file":"C:\\ERP\\stok.csv","sheet":"Fiyat Listesi","ok":true,"n":null,"time":"2026-11-23T07:15:00.000Z","message":"imported"}`,
			`2026-11-23 07:15:00.000 +00 INF importer: imported file=C:\ERP\stok.csv sheet="Fiyat Listesi" ok=true n=null`, false},
		{"nested values stay JSON",
			`{"level":"debug","component":"orders","skus":["A 1","B"],"resp":{"code":400,"msg":"bad \"x\""},"message":"batch"}`,
			`DBG orders: batch skus=["A 1","B"] resp={"code":400,"msg":"bad \"x\""}`, false},
		{"turkish word is plain",
			`{"level":"info","component":"sheet","header":"FİYAT","message":"mapped"}`,
			`INF sheet: mapped header=FİYAT`, false},
		{"empty string quoted",
			`{"level":"info","component":"c","x":"","message":"m"}`,
			`INF c: m x=""`, false},
		{"control characters escaped in message",
			"{\"level\":\"error\",\"component\":\"c\",\"message\":\"line1\\nline2 \\u001b[31mred\"}",
			`ERR c: line1\nline2 \u001b[31mred`, false},
		{"no level, no component",
			`{"message":"bare"}`,
			`--- -: bare`, false},
		{"repeated and non-string known keys stay fields",
			`{"level":"info","component":"a","component":"b","store":7,"message":"m"}`,
			`INF a: m component=b store=7`, false},
		{"unparsable time shown as written",
			`{"time":"yesterday","level":"info","component":"c","message":"m"}`,
			`yesterday INF c: m`, false},
		{"garbage as is", `not json at all`, `not json at all`, false},
		{"torn line as is", `{"level":"info","mess`, `{"level":"info","mess`, false},
		{"json that is not an object", `[1,2]`, `[1,2]`, false},
		{"error in colour",
			`{"level":"error","component":"c","message":"boom","k":1}`,
			"\x1b[1;31mERR\x1b[0m c: \x1b[31mboom\x1b[0m k=1", true},
		{"warning in colour",
			`{"level":"warn","component":"c","message":"hm"}`,
			"\x1b[33mWRN\x1b[0m c: \x1b[33mhm\x1b[0m", true},
		{"debug faint",
			`{"level":"debug","component":"c","message":"d"}`,
			"\x1b[2mDBG c: d\x1b[0m", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r record
			got := string(appendReadable(nil, []byte(tc.in+"\n"), &r, tc.color, nil))
			if got != tc.want+"\n" {
				t.Errorf("\n got %q\nwant %q", got, tc.want+"\n")
			}
		})
	}
}
