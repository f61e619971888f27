package config

import (
	"encoding"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Pos is a place in the config file.
type Pos struct{ Line, Column int }

// nodeDecoder is implemented by config types that read themselves from a YAML scalar
// (Duration, Secret, Path, money amounts). value is the scalar after ${ENV} expansion.
type nodeDecoder interface {
	decodeScalar(d *decoder, value string) error
}

// defaulter is implemented by structs whose zero value is not their default. The decoder
// calls setDefaults on every new struct before filling it, so defaults live in
// defaults.go and an explicit value in the file always wins.
type defaulter interface{ setDefaults() }

// decoder walks a yaml.Node tree into Go values. It is strict: unknown keys, duplicate
// keys, wrong types and missing required fields are errors with a line and column.
type decoder struct {
	file    string
	baseDir string
	errs    []error
	pos     map[string]Pos // field path ("stores[0].rules.scope") → where its value stands
	env     func(string) (string, bool)
	cur     *yaml.Node
}

// Error is one problem in a config file.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	if e.Pos.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Column, e.Msg)
}

// Errors is every problem found in one file, reported together so a user fixes them in one go.
type Errors []error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	p := Pos{}
	if n != nil {
		p = Pos{n.Line, n.Column}
	}
	d.errs = append(d.errs, &Error{File: d.file, Pos: p, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.pos[path] = Pos{n.Line, n.Column}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "key:" with no value keeps the default
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, "%s: expected a single value, found %s", show(path), kindName(n))
			return
		}
		s, ok := d.expand(n)
		if !ok {
			return
		}
		d.cur = n
		if err := nd.decodeScalar(d, s); err != nil {
			d.errorf(n, "%s: %v", show(path), err)
		}
		return
	}
	if tu, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		// A type of another package that reads itself (connectors.Scope); its Choices,
		// when it has them, give the did-you-mean.
		s, ok := d.scalar(n, path)
		if !ok {
			return
		}
		if err := tu.UnmarshalText([]byte(s)); err != nil {
			msg := err.Error()
			if ch, ok := tu.(interface{ Choices() []string }); ok {
				if m := suggest(s, ch.Choices()); m != "" {
					msg += fmt.Sprintf("; did you mean %q?", m)
				}
			}
			d.errorf(n, "%s: %s", show(path), msg)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			// A single value where a list is expected is accepted as a list of one
			// ("patterns: '*.xlsx'"), which is what people write by hand.
			if n.Kind == yaml.ScalarNode {
				e := reflect.New(v.Type().Elem()).Elem()
				d.decode(n, e, path+"[0]")
				v.Set(reflect.Append(reflect.MakeSlice(v.Type(), 0, 1), e))
				return
			}
			d.errorf(n, "%s: expected a list, found %s", show(path), kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			e := s.Index(i)
			if e.Kind() == reflect.Struct {
				if df, ok := e.Addr().Interface().(defaulter); ok {
					df.setDefaults()
				}
			}
			d.decode(c, e, fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.errorf(n, "%s: expected a mapping of key: value, found %s", show(path), kindName(n))
			return
		}
		m := reflect.MakeMap(v.Type())
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if seen[k.Value] {
				d.errorf(k, "%s: key %q appears twice", show(path), k.Value)
				continue
			}
			seen[k.Value] = true
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, e, path+"."+k.Value)
			m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), e)
		}
		v.Set(m)
	case reflect.String:
		if s, ok := d.scalar(n, path); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		s, ok := d.scalar(n, path)
		if !ok {
			return
		}
		switch strings.ToLower(s) {
		case "true", "yes", "on", "evet":
			v.SetBool(true)
		case "false", "no", "off", "hayır", "hayir":
			v.SetBool(false)
		default:
			d.errorf(n, "%s: expected true or false, found %q", show(path), s)
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		s, ok := d.scalar(n, path)
		if !ok {
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
		if err != nil || v.OverflowInt(i) {
			d.errorf(n, "%s: expected a whole number, found %q", show(path), s)
			return
		}
		v.SetInt(i)
	default:
		d.errorf(n, "%s: unsupported config type %s", show(path), v.Type())
	}
}

// scalar returns the (env-expanded) value of a scalar node or reports a type error.
func (d *decoder) scalar(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s: expected a single value, found %s", show(path), kindName(n))
		return "", false
	}
	return d.expand(n)
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s: expected a section of key: value lines, found %s", show(path), kindName(n))
		return
	}
	fields := structFields(v.Type())
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if prev, dup := seen[k.Value]; dup {
			d.errorf(k, "%s: key %q appears twice (first on line %d)", show(path), k.Value, prev.Line)
			continue
		}
		seen[k.Value] = k
		f, ok := fields[k.Value]
		if !ok {
			names := make([]string, 0, len(fields))
			for name := range fields {
				names = append(names, name)
			}
			msg := fmt.Sprintf("unknown key %q in %s", k.Value, section(path))
			if s := suggest(k.Value, names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				sort.Strings(names)
				msg += "; known keys: " + strings.Join(names, ", ")
			}
			d.errorf(k, "%s", msg)
			continue
		}
		fv := v.FieldByIndex(f.index)
		if fv.Kind() == reflect.Struct {
			if df, ok := fv.Addr().Interface().(defaulter); ok && fv.IsZero() {
				df.setDefaults()
			}
		}
		d.decode(val, fv, join(path, k.Value))
	}
	for name, f := range fields {
		if f.required && seen[name] == nil {
			d.errorf(n, "%s: required key %q is missing", section(path), name)
		}
	}
}

type fieldInfo struct {
	index    []int
	required bool
}

func structFields(t reflect.Type) map[string]fieldInfo {
	out := map[string]fieldInfo{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name := strings.Split(tag, ",")[0]
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = fieldInfo{index: f.Index, required: f.Tag.Get("cfg") == "required"}
	}
	return out
}

// expand replaces ${NAME} with the environment variable NAME; "$${" stands for a literal "${".
// An unset variable is an error: an empty password that fails at 3 a.m. is worse.
func (d *decoder) expand(n *yaml.Node) (string, bool) {
	s := n.Value
	if !strings.Contains(s, "${") {
		return s, true
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			d.errorf(n, "unterminated ${ in value (write $${ for a literal ${)")
			return "", false
		}
		name := s[i+2 : i+j]
		val, ok := d.env(name)
		if !ok {
			d.errorf(n, "environment variable %s is not set", name)
			return "", false
		}
		b.WriteString(s[:i])
		b.WriteString(val)
		s = s[i+j+1:]
	}
	return b.String(), true
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section (key: value lines)"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func show(path string) string {
	if path == "" {
		return "config"
	}
	return path
}

func section(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

func osEnv(name string) (string, bool) { return os.LookupEnv(name) }
