package tsoft

import (
	"strings"
	"testing"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/tsoft/api"
)

func TestNumberForms(t *testing.T) {
	cases := []struct {
		in           string
		price, amt   money.Kurus
		priceErr, ok bool
	}{
		{"299,80", 29980, 29980, false, true},
		{"149.90", 14990, 14990, false, true},
		{"149.9", 14990, 14990, false, true},
		{"1.249,90", 124990, 124990, false, true},
		{"1,249.90", 124990, 124990, false, true},
		{"1.234.567,89", 123456789, 123456789, false, true},
		{"12", 1200, 1200, false, true},
		{"-3,5", -350, -350, false, true},
		{"12,345", 0, 1235, true, true}, // a VAT share rounds in an order, is no price
		{"1.249", 0, 125, true, true},   // a lone dot is a decimal point; a price of 3 decimals is refused, not read as 1249
		{"1,24,9", 0, 0, true, false},
		{"1.2.3", 0, 0, true, false},
		{"1e3", 0, 0, true, false},
		{"12,5a", 0, 0, true, false},
	}
	for _, c := range cases {
		p, err := price(api.Value(c.in))
		if (err != nil) != c.priceErr || err == nil && p != c.price {
			t.Errorf("price(%q) = %v, %v", c.in, p, err)
		}
		a, err := amount(api.Value(c.in))
		if (err == nil) != c.ok || err == nil && a != c.amt {
			t.Errorf("amount(%q) = %v, %v", c.in, a, err)
		}
	}
	for in, want := range map[string]int64{"12": 12, "12,00": 12, "12.0": 12, "0": 0, "1.200,00": 1200} {
		if n, err := whole(api.Value(in)); err != nil || n != want {
			t.Errorf("whole(%q) = %d, %v", in, n, err)
		}
	}
	for _, in := range []string{"12,5", "", "x"} {
		if _, err := whole(api.Value(in)); err == nil {
			t.Errorf("whole(%q) accepted", in)
		}
	}
	if a, err := amount(""); err != nil || a != 0 {
		t.Errorf("an absent amount is 0: %v %v", a, err)
	}
}

func TestInstants(t *testing.T) {
	want := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	for _, in := range []string{"1790845200", "1790845200000", "2026-10-01 12:00:00", "01-10-2026 12:00:00", "2026-10-01T12:00:00+03:00", "2026-10-01T09:00:00Z"} {
		if got, err := instant(api.Value(in)); err != nil || !got.Equal(want) {
			t.Errorf("instant(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "…", "12345", "yarın"} {
		if _, err := instant(api.Value(in)); err == nil {
			t.Errorf("instant(%q) accepted", in)
		}
	}
	local := want
	server := want.Add(-10 * time.Minute) // the shop's clock is 10 minutes behind ours
	if life, ok := tokenLife("01-10-2026 13:00:00", server, local); !ok || life != 70*time.Minute {
		t.Errorf("life by the shop's Date header: %v %v", life, ok)
	}
	if life, ok := tokenLife("01-10-2026 13:00:00", time.Time{}, local); !ok || life != time.Hour {
		t.Errorf("life by our clock: %v %v", life, ok)
	}
	for _, exp := range []string{"…", "01-10-2026 11:00:00", "01-10-2027 11:00:00"} {
		if _, ok := tokenLife(api.Value(exp), time.Time{}, local); ok {
			t.Errorf("tokenLife(%q) believed", exp)
		}
	}
}

func TestMessageKinds(t *testing.T) {
	cases := map[string]msgKind{
		"Controller is not allowed!":                                    msgPermission,
		"Bu işlem için yetkiniz bulunmamaktadır.":                       msgPermission,
		"IP ADRESİNİZİN WEB SERVİSE ERİŞİM İZNİ BULUNMAMAKTADIR.":       msgIP,
		"IP adresinizin (1.2.3.4) web servise erişim izni yok":          msgIP,
		"Token geçersiz veya süresi dolmuş.":                            msgToken,
		"Token bulunamadı":                                              msgToken,
		"Oturumunuz sona erdi, lütfen tekrar giriş yapınız":             msgToken,
		"Mağazanızın paketinde Gelişmiş Web Servis lisansı yok":         msgLicence,
		"Çok fazla istek gönderdiniz. Lütfen daha sonra tekrar deneyin": msgThrottle,
		"TS-001 kodlu ürün bulunamadı.":                                 msgNotFound,
		"Product not found":                                             msgNotFound,
		"Ürün şu anda kilitli, daha sonra tekrar deneyin":               msgTransient,
		"SellingPrice değeri geçersiz":                                  msgOther,
		"":                                                              msgOther,
	}
	for text, want := range cases {
		if got := classify(text); got != want {
			t.Errorf("classify(%q) = %d, want %d", text, got, want)
		}
	}
	if got := messageText([]byte(`[{"type":2,"text":["Birinci","ikinci"]},{"type":2,"text":"Üçüncü"}]`)); got != "Birinci ikinci | Üçüncü" {
		t.Errorf("messageText %q", got)
	}
	if got := messageText([]byte(`"Düz metin"`)); got != "Düz metin" {
		t.Errorf("a bare string message %q", got)
	}
	page := []byte("<html><head><title>500 Internal Server Error</title></head><body><b>Fatal error</b>: x</body></html>")
	if !isHTML("text/html", page) || !isHTML("", page) || htmlTitle(page) != "500 Internal Server Error" {
		t.Errorf("HTML page not recognised: %q", htmlTitle(page))
	}
	if isHTML("text/html; charset=UTF-8", []byte(`{"success":true}`)) {
		t.Error("a JSON body under a wrong content type is still JSON")
	}
}

func TestHostSetting(t *testing.T) {
	good := map[string]string{
		"www.example.com":                "https://www.example.com",
		"https://Magaza.Example.com.tr/": "https://magaza.example.com.tr",
		"https://www.example.com/rest1":  "https://www.example.com",
		"shop.1ticaret.com":              "https://shop.1ticaret.com",
		"https://www.xn--maaza-9ua.com":  "https://www.xn--maaza-9ua.com",
		"https://10.0.0.5:8443":          "https://10.0.0.5:8443",
	}
	for in, want := range good {
		if got, err := normalizeHost(in); err != nil || got != want {
			t.Errorf("normalizeHost(%q) = %q, %v", in, got, err)
		}
	}
	bad := map[string]string{
		"http://www.example.com":           "https",
		"https://user:pw@www.example.com":  "user name or password",
		"https://www.example.com/magaza":   "without a path",
		"https://www.example.com/?x=1":     "without ? or #",
		"localhost":                        "not a host name",
		"www.exa mple.com":                 "not a",
		"":                                 "empty",
		"https://www.example.com:99999":    "port",
		"https://www.example.com/rest1/xy": "without a path",
	}
	for in, want := range bad {
		if _, err := normalizeHost(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("normalizeHost(%q): %v, want an error about %q", in, err, want)
		}
	}
}

func TestOrderStatuses(t *testing.T) {
	m, err := parseStatuses(" 1=awaiting; 3 = New, 04=processing, 9=cancelled")
	if err != nil || m["1"] != order.Awaiting || m["3"] != order.New || m["4"] != order.Processing || len(m) != 4 {
		t.Fatalf("%v %v", m, err)
	}
	for in, want := range map[string]string{
		"9=new":       "cannot be mapped",
		"10=shipped":  "cannot be mapped",
		"x=new":       "numeric status id",
		"3=gone":      "is not one of",
		"3=new,3=new": "mapped twice",
		"3":           "ID=STATUS",
	} {
		if _, err := parseStatuses(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseStatuses(%q): %v", in, err)
		}
	}
	c := &Client{set: settings{statuses: map[string]order.Status{"1": order.Awaiting, "7": order.Shipped}}}
	for _, tc := range []struct {
		id, text string
		want     order.Status
	}{
		{"9", "Onaylandı", order.Cancelled}, // 9 is fixed whatever the text
		{"10", "", order.Returned},
		{"1", "Onay Bekliyor", order.Awaiting}, // the shop's own mapping
		{"7", "Özel Durum", order.Shipped},
		{"2", "Ödeme Bekliyor", order.Awaiting},
		{"3", "Ödeme Onaylandı", order.New},
		{"4", "HAZIRLANIYOR", order.Processing},
		{"5", "Kargoya Verildi", order.Shipped},
		{"6", "Teslim Edildi", order.Delivered},
		{"11", "Müşteri İptal Etti", order.Cancelled},
		{"12", "Kısmi İade", order.Returned},
		{"13", "Onay Bekliyor", order.New},
		{"14", "Bambaşka bir şey", order.New},
	} {
		if got := c.statusOf(tc.id, tc.text); got != tc.want {
			t.Errorf("statusOf(%s, %q) = %s, want %s", tc.id, tc.text, got, tc.want)
		}
	}
}

func TestOrderDetailForms(t *testing.T) {
	line := `{"OrderProductId":"1","ProductCode":"A","Quantity":"1","SellingPrice":"10,00"}`
	for _, raw := range []string{`[` + line + `]`, `"[` + strings.ReplaceAll(line, `"`, `\"`) + `]"`, `{"OrderDetail":[` + line + `]}`, `{"OrderDetail":` + line + `}`, line} {
		d, err := orderDetails([]byte(raw))
		if err != nil || len(d) != 1 || d[0].ProductCode != "A" {
			t.Errorf("orderDetails(%s) = %v, %v", raw, d, err)
		}
	}
	if d, err := orderDetails([]byte(`""`)); err != nil || len(d) != 0 {
		t.Errorf("empty string: %v %v", d, err)
	}
}
