package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// options is the table of every setting the binary reads. A flag's help
// may name its value in backquotes, as package flag reads it
// ("-db DSN"); the README shows them as code.
var options = []Option{
	{
		Flag: "db", Env: "GONGHAI_DB", Default: "sqlite:gonghai.db", Secret: true,
		Help:  "the database, a `DSN`: sqlite:PATH, or postgres://user:pass@host/db",
		parse: text(func(c *Config) *string { return &c.DB }),
		check: func(c *Config) error {
			path, sqlite := strings.CutPrefix(c.DB, "sqlite:")
			if sqlite && path != "" || strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://") {
				return nil
			}
			return errors.New("want sqlite:PATH or postgres://…")
		},
	},
	{
		Flag: "addr", Env: "GONGHAI_ADDR", Default: "127.0.0.1:8080", Scope: Serve,
		Help:  "where serve listens, `host:port`",
		parse: text(func(c *Config) *string { return &c.Addr }),
		check: func(c *Config) error {
			if _, _, err := net.SplitHostPort(c.Addr); err != nil {
				return errors.New("want host:port, such as 127.0.0.1:8080 or :8080")
			}
			return nil
		},
	},
	{
		Flag: "demo", Default: "false", Scope: Serve, isBool: true,
		Help:  "load the demo organisation into an empty database, and print how to sign in",
		parse: func(c *Config, v string) error { return parseBool(&c.Demo, v) },
	},
	{
		Flag: "recycle-interval", Env: "GONGHAI_RECYCLE_INTERVAL", Default: "1m", Scope: Serve,
		Help:  "how often serve sweeps for due customers, reminders and webhooks; 0 turns the sweep off on this node",
		parse: func(c *Config, v string) error { return parseDuration(&c.RecycleInterval, v) },
		check: func(c *Config) error { return atLeast(c.RecycleInterval, 0, "want 0 (off) or more") },
	},
	{
		Flag: "session-idle", Env: "GONGHAI_SESSION_IDLE", Default: "30m", Scope: Serve,
		Help: "a browser session ends after this long without a request " +
			"(written back at most once a minute, so it may end up to a minute sooner)",
		parse: func(c *Config, v string) error { return parseDuration(&c.SessionIdle, v) },
		check: func(c *Config) error { return atLeast(c.SessionIdle, 1, "want more than 0") },
	},
	{
		Flag: "session-lifetime", Env: "GONGHAI_SESSION_LIFETIME", Default: "12h", Scope: Serve,
		Help:  "a browser session ends this long after sign-in, however busy",
		parse: func(c *Config, v string) error { return parseDuration(&c.SessionLifetime, v) },
		check: func(c *Config) error { return atLeast(c.SessionLifetime, 1, "want more than 0") },
	},
	{
		Flag: "secure-cookies", Env: "GONGHAI_SECURE_COOKIES", Default: "false", Scope: Serve, isBool: true,
		Help: "send the session cookie over HTTPS only: set it behind a TLS-terminating proxy " +
			"(a server speaking TLS itself sets Secure anyway)",
		parse: func(c *Config, v string) error { return parseBool(&c.SecureCookies, v) },
	},
	{
		Flag: "trusted-proxies", Env: "GONGHAI_TRUSTED_PROXIES", Scope: Serve,
		Help: "comma-separated addresses or CIDR prefixes of proxies whose X-Forwarded-For names the client; " +
			"without it the client address (login limits, audit log) is the connection's peer",
		parse: parseProxies,
	},
	{
		Flag: "import-interval", Env: "GONGHAI_IMPORT_INTERVAL", Default: "5s", Scope: Serve,
		Help: "how often serve looks for queued imports, and for imports whose runner died, to run; " +
			"0 runs none on this node",
		parse: func(c *Config, v string) error { return parseDuration(&c.ImportInterval, v) },
		check: func(c *Config) error { return atLeast(c.ImportInterval, 0, "want 0 (off) or more") },
	},
	{
		Flag: "import-max-rows", Env: "GONGHAI_IMPORT_MAX_ROWS", Default: "100000",
		Help:  "the most data rows an import file may hold; a longer file is refused before any row is written",
		parse: func(c *Config, v string) error { return parsePositive(&c.ImportMaxRows, v) },
	},
	{
		Flag: "import-max-mb", Env: "GONGHAI_IMPORT_MAX_MB", Default: "50",
		Help:  "the largest import file, in megabytes (MiB); a larger upload is refused before it is read",
		parse: func(c *Config, v string) error { return parsePositive(&c.ImportMaxMB, v) },
	},
	{
		Flag: "metrics-token", Env: "GONGHAI_METRICS_TOKEN", Secret: true, Scope: Serve,
		Help: "the bearer `token` Prometheus sends to scrape /metrics (`Authorization: Bearer …`); " +
			"unset, /metrics is open. Prefer the variable: a flag shows in the process list. See [Monitoring](#monitoring)",
		parse: text(func(c *Config) *string { return &c.MetricsToken }),
	},
	{
		Env: "GONGHAI_KEYS", Secret: true,
		Help: "the field keys (`index:…,k1:…`); several nodes share one list. " +
			"See [docs/security.md](docs/security.md#keys). Checked when the database opens",
		parse: text(func(c *Config) *string { return &c.Keys }),
	},
	{
		Env: "GONGHAI_KEY_FILE", Shown: "`PATH.keys` beside a SQLite database",
		Help: "where the field keys are kept when `GONGHAI_KEYS` is not set; created on the first run. " +
			"**Back it up apart from the database**",
		parse: text(func(c *Config) *string { return &c.KeyFile }),
	},
}

// text reads a value as it is given into the field it points to.
func text(field func(c *Config) *string) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		*field(c) = v
		return nil
	}
}

func parseBool(b *bool, v string) error {
	var err error
	if *b, err = strconv.ParseBool(v); err != nil {
		return errors.New("want true or false")
	}
	return nil
}

func parsePositive(n *int, v string) error {
	var err error
	if *n, err = strconv.Atoi(v); err != nil || *n < 1 {
		return errors.New("want a whole number of 1 or more")
	}
	return nil
}

func parseDuration(d *time.Duration, v string) error {
	var err error
	if *d, err = time.ParseDuration(v); err != nil {
		return errors.New("want a duration such as 90s, 30m or 12h")
	}
	return nil
}

func atLeast(d, least time.Duration, want string) error {
	if d < least {
		return errors.New(want)
	}
	return nil
}

// parseProxies reads a comma-separated list of addresses and CIDR
// prefixes; an address is the prefix of itself alone. The entry at fault
// is named: proxies are no secret.
func parseProxies(c *Config, v string) error {
	c.TrustedProxies = nil
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return fmt.Errorf("%q is neither an address nor a CIDR prefix", p)
			}
			prefix = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
	}
	return nil
}
