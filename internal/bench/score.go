package bench

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"time"

	"github.com/gonghai/gonghai/internal/score"
)

// benchScore measures the conversion score (docs/scoring.md) on the
// seeded organisation (--customers, default 100,000), its customers made
// a history first (aged, a share won): the floor reads the same rows the
// training reads (every customer's features, with its follow-up counts);
// train fits the logistic regression to them in Go; rescore reads the
// pool customers' features again, scores them and writes every score and
// its factors in batches. train + rescore is what the daily sweep spends.
func (env Env) scoreBench(ctx context.Context, args []string) error {
	var o seedOptions
	fs := flag.NewFlagSet("gonghai bench score", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	o.flags(fs)
	fs.Lookup("customers").DefValue = "100000"
	o.customers = 100_000
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench score: unexpected argument %q", fs.Arg(0))
	}
	if err := positive("score", map[string]int{"customers": o.customers}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "score on %d CPUs, %s/%s, %s: %d customers in 3 pools, every one in the history and rescored; "+
		"floor: reading the same rows\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.customers)
	return env.onSeeds(ctx, o, func(s *seeded, _ *server) error {
		db := s.db
		if err := db.ScoreBenchHistory(ctx); err != nil {
			return err
		}
		began := time.Now()
		history, err := db.ScoreHistory(ctx)
		if err != nil {
			return err
		}
		read := time.Since(began)
		began = time.Now()
		m := score.Train(history, score.Options{Now: time.Now()})
		train := time.Since(began)
		began = time.Now()
		n, err := db.Rescore(ctx, m, false)
		if err != nil {
			return err
		}
		rescore := time.Since(began)
		fmt.Fprintf(env.Stdout, "%s: history %d rows (%d won), model %s AUC %.3f; floor read %s; train %s; rescore %s (%d written, %s rows/s); "+
			"train+rescore %s = %.1f× the floor\n", s.label, m.N, m.Won, m.Kind, m.AUC, dur(read), dur(train), dur(rescore), n,
			rate(int64(len(history)), rescore), dur(train+rescore), (train+rescore).Seconds()/read.Seconds())
		return nil
	})
}
