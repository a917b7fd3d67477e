package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gonghai/gonghai/internal/recycle"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/web"
)

func (e *environment) serve(ctx context.Context, args []string) error {
	var cfg config
	fs := e.flags("serve", &cfg)
	cfg.Addr = or(e.getenv("GONGHAI_ADDR"), "127.0.0.1:8080")
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on (env GONGHAI_ADDR)")
	demo := fs.Bool("demo", false, "load a demo organisation on first start and print how to sign in")
	interval, err := time.ParseDuration(or(e.getenv("GONGHAI_RECYCLE_INTERVAL"), "1m"))
	if err != nil {
		return fmt.Errorf("GONGHAI_RECYCLE_INTERVAL: %w", err)
	}
	fs.DurationVar(&interval, "recycle-interval", interval, "how often to sweep for due customers, reminders and webhooks; 0 turns the sweep off on this node (env GONGHAI_RECYCLE_INTERVAL)")
	var sessions sessionConfig
	if err := sessions.flags(fs, e.getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if interval < 0 {
		return fmt.Errorf("--recycle-interval %s: want 0 (off) or more", interval)
	}
	opts, err := sessions.options()
	if err != nil {
		return err
	}
	log := e.logger()
	db, err := e.open(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if *demo {
		if err := e.seedDemo(ctx, db, base); err != nil {
			ln.Close()
			return fmt.Errorf("demo: %w", err)
		}
	}
	srv := &http.Server{Handler: web.NewServer(db, log, opts...), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	log.Info("listening", "addr", ln.Addr().String(), "db", string(db.Dialect()))
	fmt.Fprintf(e.stdout, "gonghai listening on %s\n", base)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if interval > 0 {
		// Any number of nodes may sweep: each recycle and reminder is
		// decided by one conditional write. The sweep ends before the
		// database closes.
		sweepCtx, stopSweep := context.WithCancel(ctx)
		swept := make(chan struct{})
		go func() {
			defer close(swept)
			(&recycle.Sweeper{Store: db, Log: log}).Run(sweepCtx, interval)
		}()
		defer func() { stopSweep(); <-swept }()
	}
	cleanCtx, stopCleaning := context.WithCancel(ctx)
	cleaned := make(chan struct{})
	go func() {
		defer close(cleaned)
		deleteExpiredSessions(cleanCtx, db, log, sessionCleanInterval)
	}()
	defer func() { stopCleaning(); <-cleaned }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sessionConfig is how serve runs browser sessions.
type sessionConfig struct {
	idle, lifetime time.Duration
	secure         bool
	proxies        string
}

// flags reads the GONGHAI_* defaults and declares the flags that override
// them.
func (c *sessionConfig) flags(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	if c.idle, err = time.ParseDuration(or(getenv("GONGHAI_SESSION_IDLE"), web.DefaultIdleTimeout.String())); err != nil {
		return fmt.Errorf("GONGHAI_SESSION_IDLE: %w", err)
	}
	if c.lifetime, err = time.ParseDuration(or(getenv("GONGHAI_SESSION_LIFETIME"), web.DefaultLifetime.String())); err != nil {
		return fmt.Errorf("GONGHAI_SESSION_LIFETIME: %w", err)
	}
	if c.secure, err = strconv.ParseBool(or(getenv("GONGHAI_SECURE_COOKIES"), "false")); err != nil {
		return fmt.Errorf("GONGHAI_SECURE_COOKIES: want true or false")
	}
	c.proxies = getenv("GONGHAI_TRUSTED_PROXIES")
	fs.DurationVar(&c.idle, "session-idle", c.idle, "a browser session ends after this long without a request (env GONGHAI_SESSION_IDLE)")
	fs.DurationVar(&c.lifetime, "session-lifetime", c.lifetime, "a browser session ends this long after sign-in at the latest (env GONGHAI_SESSION_LIFETIME)")
	fs.BoolVar(&c.secure, "secure-cookies", c.secure, "send the session cookie over HTTPS only: for TLS or a TLS-terminating proxy (env GONGHAI_SECURE_COOKIES)")
	fs.StringVar(&c.proxies, "trusted-proxies", c.proxies, "comma-separated addresses or CIDR prefixes of proxies whose X-Forwarded-For names the client (env GONGHAI_TRUSTED_PROXIES)")
	return nil
}

// options validates c and turns it into the web server's options.
func (c *sessionConfig) options() ([]web.Option, error) {
	if c.idle <= 0 || c.lifetime <= 0 {
		return nil, fmt.Errorf("--session-idle %s, --session-lifetime %s: want more than 0", c.idle, c.lifetime)
	}
	var proxies []netip.Prefix
	for _, p := range strings.Split(c.proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return nil, fmt.Errorf("--trusted-proxies %q: want addresses or CIDR prefixes", p)
			}
			prefix = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		proxies = append(proxies, prefix.Masked())
	}
	return []web.Option{web.WithSessions(c.idle, c.lifetime), web.WithSecureCookies(c.secure), web.WithTrustedProxies(proxies)}, nil
}

// sessionCleanInterval is how often serve deletes expired sessions. They
// never authenticate anyway; this only keeps the table small.
const sessionCleanInterval = 10 * time.Minute

// deleteExpiredSessions deletes expired sessions now and every interval
// until ctx ends. Every node may do it: each run is one DELETE.
func deleteExpiredSessions(ctx context.Context, db *store.DB, log *slog.Logger, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if n, err := db.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			log.Error("delete_expired_sessions_failed", "err", err.Error())
		} else if n > 0 {
			log.Info("expired_sessions_deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
