package tsoft

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

	"syncagent/connectors/tsoft/api"
)

// T-Soft answers most refusals with HTTP 200, success:false and Turkish words. The
// words are kept verbatim for the operator; the agent acts on what they are about,
// which only their text tells. The known text is "Controller is not allowed!" for a
// missing method permission and a text with "token" for a dead token; the others are
// recognised by the words such a message must use, and a refusal none of them matches
// is about the request's content (an unknown product code, a value T-Soft refuses).
type msgKind int

const (
	msgOther      msgKind = iota // about the content: per item
	msgToken                     // the token expired or is unknown: log in again, once
	msgLicence                   // the shop's package has no REST1 licence
	msgIP                        // the shop's IP restriction refused this computer
	msgPermission                // the web-service user may not call this method
	msgThrottle                  // too many requests
	msgNotFound                  // no product with this code
	msgTransient                 // passes by itself (a lock, "try again later")
)

// Patterns run on folded text (foldTR): lower case, Turkish letters as ASCII.
var msgPatterns = []struct {
	kind msgKind
	re   *regexp.Regexp
}{
	{msgToken, regexp.MustCompile(`token|oturum|giris yapiniz|tekrar giris`)},
	{msgLicence, regexp.MustCompile(`lisans|licen[cs]e|gelismis web servis|web servis paket|paketiniz`)},
	{msgIP, regexp.MustCompile(`\bip\b|ip adres|ip kisit|ip restrict|ip address`)},
	{msgPermission, regexp.MustCompile(`not allowed|yetkiniz|yetki(si)? (yok|bulunmamaktadir)|izniniz (yok|bulunmamaktadir)|permission|forbidden`)},
	{msgThrottle, regexp.MustCompile(`cok fazla istek|too many|rate limit|istek limit|limit asild`)},
	{msgNotFound, regexp.MustCompile(`bulunamad|not found|mevcut degil|kayitli degil|boyle bir urun|gecersiz urun kodu`)},
	{msgTransient, regexp.MustCompile(`tekrar deneyin|daha sonra|zaman asim|timeout|gecici|temporar|kilitli|locked|busy|mesgul`)},
}

func classify(text string) msgKind {
	f := foldTR(text)
	for _, p := range msgPatterns {
		if p.re.MatchString(f) {
			return p.kind
		}
	}
	return msgOther
}

// foldTR lowers text and writes Turkish letters as their ASCII base, so "İZİN",
// "izin" and "IZIN" read alike (strings.ToLower turns İ into i plus a combining dot).
func foldTR(s string) string {
	r := strings.NewReplacer("İ", "i", "I", "i", "ı", "i", "Ş", "s", "ş", "s", "Ğ", "g", "ğ", "g",
		"Ü", "u", "ü", "u", "Ö", "o", "ö", "o", "Ç", "c", "ç", "c", "Â", "a", "â", "a")
	return strings.ToLower(r.Replace(s))
}

// messageText joins the texts of message[] (each text a list of strings or one
// string; a bare string message too) with " | ", verbatim.
func messageText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var list []api.Message
	if json.Unmarshal(raw, &list) != nil {
		var one api.Message
		if json.Unmarshal(raw, &one) != nil {
			return ""
		}
		list = []api.Message{one}
	}
	var parts []string
	for _, m := range list {
		if t := texts(m.Text); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " | ")
}

// messageList is the texts of message[] one by one, for the replies to a data array,
// whose entries may each be about one product.
func messageList(raw json.RawMessage) []string {
	var list []api.Message
	if json.Unmarshal(raw, &list) != nil {
		if t := messageText(raw); t != "" {
			return []string{t}
		}
		return nil
	}
	var out []string
	for _, m := range list {
		if t := texts(m.Text); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func texts(raw json.RawMessage) string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		var parts []string
		for _, s := range list {
			if s = strings.TrimSpace(s); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, " ")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	return ""
}

// htmlTitle finds the <title> (or the first <h1>) of an HTML error page, so the
// operator reads "500 Internal Server Error" or "Fatal error" rather than markup.
func htmlTitle(body []byte) string {
	for _, re := range htmlHeadings {
		if m := re.FindSubmatch(body); m != nil {
			t := strings.Join(strings.Fields(htmlTags.ReplaceAllString(string(m[1]), " ")), " ")
			if t != "" {
				if len(t) > 120 {
					t = t[:120] + "…"
				}
				return t
			}
		}
	}
	return ""
}

var (
	htmlHeadings = []*regexp.Regexp{regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`),
		regexp.MustCompile(`(?is)<h1[^>]*>(.*?)</h1>`), regexp.MustCompile(`(?is)<b[^>]*>(.*?)</b>`)}
	htmlTags = regexp.MustCompile(`<[^>]*>`)
)

// isHTML reports whether a reply is a web page rather than the JSON envelope: T-Soft
// is a PHP shop, and a fatal error, a maintenance page or a firewall answers with one,
// sometimes under HTTP 200.
func isHTML(contentType string, body []byte) bool {
	b := bytes.TrimSpace(body)
	if len(b) > 0 && b[0] == '<' {
		return true
	}
	return strings.Contains(strings.ToLower(contentType), "text/html") && (len(b) == 0 || (b[0] != '{' && b[0] != '['))
}
