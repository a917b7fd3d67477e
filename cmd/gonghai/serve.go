package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gonghai/gonghai/internal/web"
)

func (e *environment) serve(ctx context.Context, args []string) error {
	var cfg config
	fs := e.flags("serve", &cfg)
	cfg.Addr = or(e.getenv("GONGHAI_ADDR"), "127.0.0.1:8080")
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on (env GONGHAI_ADDR)")
	demo := fs.Bool("demo", false, "load a demo organisation on first start and print how to sign in")
	if err := fs.Parse(args); err != nil {
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
	srv := &http.Server{Handler: web.NewServer(db, log), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	log.Info("listening", "addr", ln.Addr().String(), "db", string(db.Dialect()))
	fmt.Fprintf(e.stdout, "gonghai listening on %s\n", base)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
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
