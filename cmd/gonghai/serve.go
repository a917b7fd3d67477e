package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	conf "github.com/gonghai/gonghai/internal/config"
	"github.com/gonghai/gonghai/internal/importer"
	"github.com/gonghai/gonghai/internal/metrics"
	"github.com/gonghai/gonghai/internal/recycle"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/web"
)

func (e *environment) serve(ctx context.Context, args []string) error {
	cfg, err := conf.Parse(e.flagSet("serve"), args, e.getenv, conf.Serve)
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
	if cfg.Demo {
		if err := e.seedDemo(ctx, db, base); err != nil {
			ln.Close()
			return fmt.Errorf("demo: %w", err)
		}
	}
	m := metrics.New(db.PoolStats)
	opts := []web.Option{web.WithSessions(cfg.SessionIdle, cfg.SessionLifetime), web.WithSecureCookies(cfg.SecureCookies),
		web.WithTrustedProxies(cfg.TrustedProxies), web.WithImportLimits(limitsOf(cfg)), web.WithMetrics(m, cfg.MetricsToken)}
	srv := &http.Server{Handler: web.NewServer(db, log, opts...), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	log.Info("listening", "addr", ln.Addr().String(), "db", string(db.Dialect()))
	fmt.Fprintf(e.stdout, "gonghai listening on %s\n", base)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if interval := cfg.RecycleInterval; interval > 0 {
		// Any number of nodes may sweep: each recycle and reminder is
		// decided by one conditional write. The sweep ends before the
		// database closes.
		sweepCtx, stopSweep := context.WithCancel(ctx)
		swept := make(chan struct{})
		go func() {
			defer close(swept)
			observe := func(r recycle.Report) { m.Sweep(r.Recycled, r.Reminded, r.Planned, r.Webhooks, r.Failed) }
			(&recycle.Sweeper{Store: db, Hygiene: db, Queue: db, Scores: db, Digests: db, Log: log, Observe: observe}).Run(sweepCtx, interval)
		}()
		defer func() { stopSweep(); <-swept }()
	}
	if interval := cfg.ImportInterval; interval > 0 {
		// Any number of nodes may run imports: each job is leased to one
		// at a time, and resumed by another when its runner dies.
		importCtx, stopImports := context.WithCancel(ctx)
		imported := make(chan struct{})
		go func() {
			defer close(imported)
			(&importer.Engine{Store: db, Limits: limitsOf(cfg), Log: log, Counted: m.ImportRows}).Loop(importCtx, interval)
		}()
		defer func() { stopImports(); <-imported }()
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
