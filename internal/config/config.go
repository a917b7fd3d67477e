// Package config declares every setting of the gonghai binary in one
// table (its flag, its GONGHAI_* environment variable, its default and
// what it means), reads them into a Config and checks them once: each
// option's default, overridden by its environment variable, overridden by
// its flag. The README's table is generated from it (`gonghai config
// --markdown`), and a test keeps the two equal. Variables that only tests
// read (GONGHAI_REQUIRE_POSTGRES and the like) are not the binary's and
// are not here.
package config

import (
	"flag"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Config is the configuration of one run of the binary.
type Config struct {
	DB              string // sqlite:PATH or postgres://…; secret: it may hold a password
	Addr            string // where serve listens
	Demo            bool   // serve loads the demo organisation
	RecycleInterval time.Duration
	SessionIdle     time.Duration
	SessionLifetime time.Duration
	SecureCookies   bool
	TrustedProxies  []netip.Prefix
	ImportInterval  time.Duration
	ImportMaxRows   int
	ImportMaxMB     int
	Keys            string // the field keys, GONGHAI_KEYS; secret. The vault parses them
	KeyFile         string // GONGHAI_KEY_FILE as given; see KeyFilePath
	MetricsToken    string // the bearer token /metrics asks for; "" leaves it open. Secret

	settings []Setting // where each value came from, when Parse made c
}

// Scope names the commands that take an option.
type Scope int

const (
	// Every command that opens the database takes the option.
	Every Scope = iota
	// Serve alone takes it.
	Serve
)

// Option is one setting of the table.
type Option struct {
	Flag    string // the flag, without dashes; "" when only the environment sets it
	Env     string // the environment variable; "" when only a flag sets it
	Default string // the value when neither sets it
	Shown   string // the default as the README shows it, when not Default
	Help    string
	Scope   Scope
	Secret  bool // never echoed: it may hold a password or keys

	isBool bool                            // a flag given without a value
	parse  func(c *Config, v string) error // reads v into c; its error says what is wanted
	check  func(c *Config) error           // refuses a value parse took
}

// Name is how messages name o: its flag, else its variable.
func (o Option) Name() string {
	if o.Flag != "" {
		return "--" + o.Flag
	}
	return o.Env
}

// Options returns the table, in the README's order.
func Options() []Option { return slices.Clone(options) }

// takes reports whether a command of scope reads o from its flag and
// variable; it keeps o's default otherwise.
func (o Option) takes(scope Scope) bool { return o.Scope == Every || o.Scope == scope }

// Setting is the value one option took in a Parse.
type Setting struct {
	Option Option
	Value  string // as given; "(set)" for a secret that was
	Source string // "default", the variable or the flag
}

// Settings lists the value of every option and where it came from, secrets
// hidden; nil for a Config that Parse did not make.
func (c *Config) Settings() []Setting { return slices.Clone(c.settings) }

// Default returns the configuration that no variable or flag changes.
func Default() *Config {
	c := &Config{}
	for _, o := range options {
		if err := o.parse(c, o.Default); err != nil {
			panic(fmt.Sprintf("config: the default of %s: %v", o.Name(), err))
		}
	}
	return c
}

// Parse declares on fs the flags of the options that commands of scope
// take, parses args, and returns the configuration they make with the
// environment: each option's default, overridden by its variable (read
// through getenv; empty is unset), overridden by its flag. An error names
// the flag or variable at fault, and its value unless the option is
// secret.
func Parse(fs *flag.FlagSet, args []string, getenv func(string) string, scope Scope) (*Config, error) {
	set := make([]Setting, len(options))
	for i, o := range options {
		set[i] = Setting{Option: o, Value: o.Default, Source: "default"}
		if !o.takes(scope) {
			continue
		}
		if o.Env != "" && getenv(o.Env) != "" {
			set[i].Value, set[i].Source = getenv(o.Env), o.Env
		}
		if o.Flag != "" {
			help := o.Help
			if o.Env != "" {
				help += " (env " + o.Env + ")"
			}
			fs.Var(&flagValue{&set[i]}, o.Flag, help)
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c := &Config{}
	for _, s := range set {
		if err := s.Option.parse(c, s.Value); err != nil {
			return nil, s.fault(err)
		}
	}
	for _, s := range set {
		if s.Option.check == nil {
			continue
		}
		if err := s.Option.check(c); err != nil {
			return nil, s.fault(err)
		}
	}
	for i := range set {
		if set[i].Option.Secret && set[i].Source != "default" {
			set[i].Value = "(set)"
		}
	}
	c.settings = set
	return c, nil
}

// fault names where s's value came from, and the value unless secret.
func (s Setting) fault(err error) error {
	name := s.Source
	if name == "default" {
		name = s.Option.Name()
	}
	if s.Option.Secret {
		return fmt.Errorf("%s: %w", name, err)
	}
	return fmt.Errorf("%s %q: %w", name, s.Value, err)
}

// Validate checks c as Parse checks what it reads. An error names the
// option at fault, never its value.
func (c *Config) Validate() error {
	for _, o := range options {
		if o.check == nil {
			continue
		}
		if err := o.check(c); err != nil {
			return fmt.Errorf("%s: %w", o.Name(), err)
		}
	}
	return nil
}

// KeyFilePath is where the field keys are kept when Keys is empty:
// KeyFile, else PATH.keys beside a SQLite database; "" for none.
func (c *Config) KeyFilePath() string {
	if c.KeyFile != "" {
		return c.KeyFile
	}
	if path, ok := strings.CutPrefix(c.DB, "sqlite:"); ok {
		return path + ".keys"
	}
	return ""
}

// flagValue is the flag of one option: it overrides the value the
// default or the variable gave.
type flagValue struct{ s *Setting }

func (f *flagValue) Set(v string) error {
	f.s.Value, f.s.Source = v, "--"+f.s.Option.Flag
	return nil
}

// String is the value that help shows as the default: the documented one
// for a secret, whatever the environment holds.
func (f *flagValue) String() string {
	if f == nil || f.s == nil {
		return ""
	}
	if f.s.Option.Secret {
		return f.s.Option.Default
	}
	return f.s.Value
}

func (f *flagValue) IsBoolFlag() bool { return f != nil && f.s != nil && f.s.Option.isBool }
