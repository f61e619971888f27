package contract

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestShapeDiff(t *testing.T) {
	doc := `{"page":0,"content":[{"barcode":"x","variants":[{"quantity":1,"salePrice":1.5}]}],"next":null}`
	cases := []struct {
		name, got string
		extra     []string
		want      []string
	}{
		{"same keys, other values", `{"page":3,"content":[{"barcode":"y","variants":[{"quantity":9,"salePrice":2}]},{"barcode":"z","variants":[]}],"next":"t"}`, nil, nil},
		{"flat where nested is documented", `{"page":0,"content":[{"barcode":"x","quantity":1,"salePrice":1.5}],"next":null}`, nil,
			[]string{"$.content[].variants: documented, missing", "$.content[].quantity: not in the documented sample", "$.content[].salePrice: not in the documented sample"}},
		{"a number as a string", `{"page":"0","content":[],"next":null}`, nil, []string{"$.page: documented number, got string"}},
		{"an allowed extra key", `{"page":0,"content":[],"next":null,"totalPages":1}`, []string{"totalPages"}, nil},
		{"flat where nested is documented, and a key of the wrong kind", `{"page":0,"content":[{"barcode":"x","variants":{}}],"next":null}`, nil,
			[]string{"$.content[].variants: documented array, got object"}},
	}
	for _, c := range cases {
		got, err := ShapeDiff([]byte(doc), []byte(c.got), c.extra...)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s:\ngot  %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestReplayAnswersTheDocumentedSampleAndRecords(t *testing.T) {
	s := Replay(t, Answer{Method: "GET", Path: "/p", Query: map[string]string{"size": "1"}, Status: 201, Body: []byte(`{"ok":true}`)})
	resp, err := http.Get(s.URL + "/p?size=1&x=2")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(b) != `{"ok":true}` || len(s.Requests()) != 1 || s.Requests()[0].Query != "size=1&x=2" {
		t.Fatalf("%d %s %+v", resp.StatusCode, b, s.Requests())
	}
}

func TestShapeDiffOfAnObjectKeyedByData(t *testing.T) {
	doc := `{"success":false,"errors":{"field_name":["detail"]}}`
	cases := []struct {
		got  string
		want []string
	}{
		{`{"success":false,"errors":{"date_from":["bad"],"page":["bad","worse"]}}`, nil},
		{`{"success":false,"errors":{"date_from":"bad"}}`, []string{"$.errors.*: documented array, got string"}},
	}
	for _, c := range cases {
		got, err := ShapeDiff([]byte(doc), []byte(c.got), "errors.*")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s:\ngot  %q\nwant %q", c.got, got, c.want)
		}
	}
	if got, _ := ShapeDiff([]byte(doc), []byte(`{"success":false,"errors":{"date_from":["bad"]}}`)); len(got) != 2 {
		t.Errorf("without errors.* the keys are compared: %q", got)
	}
}
