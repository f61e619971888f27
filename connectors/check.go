package connectors

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rs/zerolog"
)

// FieldError is one problem with a store's settings, about one key of the store's
// section of the config ("credentials.api_key", "rules.scope", "test_mode"), so config
// can point at the line that holds it.
type FieldError struct {
	Key string
	Msg string
	// Got and Choices, when set, are a name given and the names it should have been one
	// of (an unknown credential key, an unknown marketplace), so the config can suggest
	// the nearest.
	Got     string
	Choices []string
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

// Check validates a store against its marketplace's registration: the marketplace
// exists, every credential key is known, required ones are present and valid, the scope
// asks only for what the marketplace updates, test_mode can be served, the
// marketplace's own Check passes, and the connector can be built and has the abilities
// the store asks for (orders). It fills absent credentials with their defaults. Every
// problem is a *FieldError; nil means the store can run.
func Check(s *Store) []error {
	info, ok := Find(s.Marketplace)
	if !ok {
		return []error{&FieldError{Key: "marketplace", Got: s.Marketplace, Choices: Names(),
			Msg: fmt.Sprintf("%q has no connector in this version (known: %s)", s.Marketplace, strings.Join(Names(), ", "))}}
	}
	errs := info.check(s)
	if len(errs) > 0 {
		return errs
	}
	c, err := info.New(s, Deps{Log: zerolog.Nop()})
	if err != nil {
		return []error{&FieldError{Key: "marketplace", Msg: fmt.Sprintf("the %s connector cannot be built: %v", info.Description, err)}}
	}
	a := AbilitiesOf(c)
	if s.Orders && a.Orders == nil {
		errs = append(errs, &FieldError{Key: "orders.fetch", Msg: fmt.Sprintf("this version cannot fetch orders from %s; set orders.fetch: false", info.Description)})
	}
	if s.Scope.Kinds() != 0 && a.Push == nil {
		errs = append(errs, &FieldError{Key: "rules.scope", Msg: fmt.Sprintf("this version cannot update %s stores", info.Description)})
	}
	return errs
}

// check is Check without building the connector.
func (info *RegInfo) check(s *Store) []error {
	if s.Credentials == nil {
		s.Credentials = Credentials{}
	}
	if s.Settings == nil {
		s.Settings = map[string]string{}
	}
	errs := checkOptions(info, "credentials", "credential", info.Options, s.Credentials)
	errs = append(errs, checkOptions(info, "settings", "setting", info.Settings, s.Settings)...)
	f := info.Features
	if extra := s.Scope.Kinds() &^ f.Updates; extra != 0 {
		errs = append(errs, &FieldError{Key: "rules.scope", Msg: fmt.Sprintf("%q asks for %s, but %s's API has no way to update %s, so they would never reach the store; set rules.scope: %s",
			s.Scope.String(), extra.words(), info.Description, extra.words(), f.Updates)})
	}
	if s.TestMode && f.TestMode == NoSandbox && s.BaseURL == "" {
		errs = append(errs, &FieldError{Key: "test_mode", Msg: fmt.Sprintf("test_mode is on, but %s has no test environment; set base_url to a test server (such as the simulator of syncagent demo) or turn test_mode off", info.Description)})
	}
	if info.Check != nil {
		errs = append(errs, info.Check(s)...)
	}
	return errs
}

// checkOptions checks the values of one section (credentials:, settings:) against the
// options declared for it, filling defaults.
func checkOptions(info *RegInfo, section, noun string, opts []Option, vals map[string]string) []error {
	var errs []error
	known := make(map[string]bool, len(opts))
	names := make([]string, len(opts))
	for i, o := range opts {
		known[o.Name] = true
		names[i] = o.Name
		v, given := vals[o.Name]
		switch {
		case !given || v == "":
			if o.Default != "" {
				vals[o.Name] = o.Default
			} else if o.Required {
				errs = append(errs, &FieldError{Key: section + "." + o.Name, Msg: "is required (" + o.Help + ")"})
			}
		case o.Valid != nil:
			if err := o.Valid(v); err != nil {
				shown := fmt.Sprintf("%q", v)
				if o.Secret {
					shown = "the value"
				}
				errs = append(errs, &FieldError{Key: section + "." + o.Name, Msg: fmt.Sprintf("%s %v (%s)", shown, err, o.Help)})
			}
		}
	}
	var unknown []string
	for k := range vals {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	takes := "none"
	if len(names) > 0 {
		takes = strings.Join(names, ", ")
	}
	for _, k := range unknown {
		errs = append(errs, &FieldError{Key: section + "." + k, Got: k, Choices: names,
			Msg: fmt.Sprintf("%s takes no %s %q (it takes %s)", info.Description, noun, k, takes)})
	}
	return errs
}

// OptionNames are the credential keys of a marketplace, for suggestions.
func (info *RegInfo) OptionNames() []string {
	names := make([]string, len(info.Options))
	for i, o := range info.Options {
		names[i] = o.Name
	}
	return names
}

// Option returns the declaration of a credential key (none of a nil RegInfo).
func (info *RegInfo) Option(name string) (Option, bool) {
	if info == nil {
		return Option{}, false
	}
	for _, o := range info.Options {
		if o.Name == name {
			return o, true
		}
	}
	return Option{}, false
}
