package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gonghai/gonghai/internal/recycle"
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	if interval < 0 {
		return fmt.Errorf("--recycle-interval %s: want 0 (off) or more", interval)
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
	srv := &http.Server{Handler: web.NewServer(db, log), ReadHeaderTimeout: 10 * time.Second,
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
