package ikassim

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"syncagent/connectors/sim/simkit"
)

//go:embed schema_common.graphql schema_v1.graphql schema_v2.graphql
var schemaFiles embed.FS

// schemas loads the two versions' SDL; a schema that does not load is a bug of this
// package, found by every test.
func schemas() map[string]*ast.Schema {
	common, _ := schemaFiles.ReadFile("schema_common.graphql")
	out := map[string]*ast.Schema{}
	for _, v := range []string{"v1", "v2"} {
		own, _ := schemaFiles.ReadFile("schema_" + v + ".graphql")
		out[v] = gqlparser.MustLoadSchema(&ast.Source{Name: "schema_common.graphql", Input: string(common)},
			&ast.Source{Name: "schema_" + v + ".graphql", Input: string(own)})
	}
	return out
}

// request is a GraphQL POST body.
type request struct {
	Query         string          `json:"query"`
	Variables     json.RawMessage `json:"variables"`
	OperationName string          `json:"operationName"`
}

// operationName names a request for Stats and Faults.Only by its first root field
// ("listProduct", "saveVariantStocks"); "" leaves the route's name (unreadable bodies).
func operationName(body []byte) string {
	var r request
	if json.Unmarshal(body, &r) != nil || r.Query == "" {
		return ""
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: r.Query})
	if err != nil {
		return ""
	}
	for _, op := range doc.Operations {
		if r.OperationName != "" && op.Name != r.OperationName {
			continue
		}
		for _, sel := range op.SelectionSet {
			if f, ok := sel.(*ast.Field); ok {
				return f.Name
			}
		}
	}
	return ""
}

// resolver answers one root field with plain data (objects are map[string]any with a
// "__typename"), which the selection set then picks from; or with an error.
type resolver func(x *exec, args map[string]any) (any, *gqlError)

// op is one root operation of a version: its resolver and the scope it needs ("": none).
type op struct {
	scope   string
	resolve resolver
}

// exec is one request being answered.
type exec struct {
	s       *Server
	c       *simkit.Call
	version string
}

func (s *Server) ops(version string) map[string]op {
	common := map[string]op{
		"me":                       {"", (*exec).me},
		"getAuthorizedApp":         {"", (*exec).me},
		"getMerchant":              {"", (*exec).getMerchant},
		"listProduct":              {ReadProducts, (*exec).listProduct},
		"listStockLocation":        {ReadInventories, (*exec).listStockLocation},
		"listProductStockLocation": {ReadInventories, (*exec).listProductStockLocation},
		"listOrder":                {ReadOrders, (*exec).listOrder},
		"fulfillOrder":             {WriteOrders, (*exec).fulfillOrder},
	}
	if version == "v1" {
		common["saveVariantPrices"] = op{WriteProducts, (*exec).saveVariantPricesV1}
		common["saveProductStockLocations"] = op{WriteInventories, (*exec).saveStockV1}
		common["saveProduct"] = op{WriteProducts, (*exec).saveProductV1}
		return common
	}
	common["updateVariantPrices"] = op{WriteProducts, (*exec).updateVariantPrices}
	common["saveVariantStocks"] = op{WriteInventories, (*exec).saveVariantStocks}
	common["updateProduct"] = op{WriteProducts, (*exec).updateProduct}
	return common
}

// graphql serves POST /api/{version}/admin/graphql: parse, validate against the
// version's schema, coerce the variables, then run each root field (mutations in order)
// and project the result on the selection set. Every failure is HTTP 200 with errors[]
// (counted in Stats as the 400 it is), as ikas answers.
func (s *Server) graphql(version string) func(c *simkit.Call) simkit.Reply {
	ops := s.ops(version)
	return func(c *simkit.Call) simkit.Reply {
		var req request
		dec := json.NewDecoder(bytes.NewReader(c.Body))
		if err := dec.Decode(&req); err != nil || strings.TrimSpace(req.Query) == "" {
			return simkit.JSON(http.StatusBadRequest, errorsBody(gqlErr("BAD_REQUEST", "POST body must be JSON with a query")))
		}
		schema := s.schema[version]
		doc, errs := gqlparser.LoadQuery(schema, req.Query)
		if len(errs) > 0 {
			code := "GRAPHQL_VALIDATION_FAILED"
			if doc == nil && errs[0].Rule == "" {
				code = "GRAPHQL_PARSE_FAILED"
			}
			var list []any
			for _, e := range errs {
				list = append(list, gqlErr(code, e.Message))
			}
			return failed(list)
		}
		operation := doc.Operations.ForName(req.OperationName)
		if operation == nil {
			return failed([]any{gqlErr("BAD_USER_INPUT", fmt.Sprintf("unknown operation %q", req.OperationName))})
		}
		vars := map[string]any{}
		if len(bytes.TrimSpace(req.Variables)) > 0 && string(bytes.TrimSpace(req.Variables)) != "null" {
			d := json.NewDecoder(bytes.NewReader(req.Variables))
			d.UseNumber()
			if err := d.Decode(&vars); err != nil {
				return failed([]any{gqlErr("BAD_USER_INPUT", "variables must be a JSON object")})
			}
		}
		coerced, err := validator.VariableValues(schema, operation, vars)
		if err != nil {
			return failed([]any{gqlErr("BAD_USER_INPUT", err.Error())})
		}
		x := &exec{s: s, c: c, version: version}
		data := map[string]any{}
		var list []any
		for _, f := range fields(operation.SelectionSet) {
			if f.Name == "__typename" {
				data[f.Alias] = map[ast.Operation]string{ast.Query: "Query", ast.Mutation: "Mutation"}[operation.Operation]
				continue
			}
			o, ok := ops[f.Name]
			if !ok {
				list = append(list, gqlErr("GRAPHQL_VALIDATION_FAILED", "operation "+f.Name+" is not emulated"))
				data[f.Alias] = nil
				continue
			}
			if o.scope != "" && !s.granted(o.scope) {
				e := gqlErr("FORBIDDEN", fmt.Sprintf("the app has no %s permission for %s", o.scope, f.Name))
				e.Path = []any{f.Alias}
				list = append(list, e)
				data[f.Alias] = nil
				continue
			}
			v, ge := o.resolve(x, f.ArgumentMap(coerced))
			if ge != nil {
				ge.Path = []any{f.Alias}
				list = append(list, ge)
				data[f.Alias] = nil
				continue
			}
			data[f.Alias] = project(f.SelectionSet, v)
		}
		body := map[string]any{"data": data}
		rep := simkit.JSON(http.StatusOK, body)
		if len(list) > 0 {
			body["errors"] = list
			rep.CountAs = http.StatusBadRequest
		}
		return rep
	}
}

func failed(list []any) simkit.Reply {
	r := simkit.JSON(http.StatusOK, map[string]any{"errors": list})
	r.CountAs = http.StatusBadRequest
	return r
}

// fields flattens a selection set's fields, fragments included (the emulated types
// are plain objects, so every fragment applies).
func fields(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch v := sel.(type) {
		case *ast.Field:
			out = append(out, v)
		case *ast.InlineFragment:
			out = append(out, fields(v.SelectionSet)...)
		case *ast.FragmentSpread:
			if v.Definition != nil {
				out = append(out, fields(v.Definition.SelectionSet)...)
			}
		}
	}
	return out
}

// project picks the selected fields out of resolved data, under their aliases.
func project(set ast.SelectionSet, v any) any {
	switch val := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(set))
		for _, f := range fields(set) {
			if f.Name == "__typename" {
				out[f.Alias] = val["__typename"]
				continue
			}
			out[f.Alias] = project(f.SelectionSet, val[f.Name])
		}
		return out
	case []map[string]any:
		out := make([]any, len(val))
		for i, e := range val {
			out[i] = project(set, e)
		}
		return out
	case []any:
		out := make([]any, len(val))
		for i, e := range val {
			out[i] = project(set, e)
		}
		return out
	}
	return v
}
