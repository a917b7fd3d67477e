package bench

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/gonghai/gonghai"
)

// benchReports measures every report on the seeded organisation
// (--customers, default 1,000,000) given a history of about --events
// ownership events per customer (default 10: 10M events at 1M customers)
// over the last 24 months, by 100 reps in 10 departments. Each report is
// asked by an admin for one whole month of one department, and set
// beside the floor: the bare aggregate of that department's claims in that
// month, through the index of a rep's claims (the rows the reports
// summarise). The month is a whole one a year back, in the middle of the
// history. The target is at most 2× the floor and under 2 s; both are
// printed with the verdict. Each figure is the median of 3 runs.
func (env Env) reportsBench(ctx context.Context, args []string) error {
	var o seedOptions
	fs := flag.NewFlagSet("gonghai bench reports", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	o.flags(fs)
	perCustomer := fs.Int("events", 10, "ownership events per customer in the generated history (10M at 1M customers)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench reports: unexpected argument %q", fs.Arg(0))
	}
	if err := positive("reports", map[string]int{"customers": o.customers, "events": *perCustomer}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "reports on %d CPUs, %s/%s, %s: %d customers, about %d ownership events each over 24 months, "+
		"100 reps in 10 departments; each report for one department's last whole month vs the bare aggregate of its claims\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.customers, *perCustomer)
	return env.onSeeds(ctx, o, func(s *seeded, _ *server) error {
		db := s.db
		var depts []gonghai.Department
		var reps [][]gonghai.User
		var all []gonghai.User
		stamp := time.Now().UnixNano()
		for d := range 10 {
			dept, err := db.CreateDepartment(ctx, s.admin, fmt.Sprintf("压测%d组-%d", d+1, stamp), s.deptID)
			if err != nil {
				return err
			}
			depts = append(depts, dept)
			var team []gonghai.User
			for r := range 10 {
				u, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: fmt.Sprintf("bench-report-%d-%d-%d", stamp, d, r),
					Name: fmt.Sprintf("压测%d组销售%d", d+1, r+1), Role: gonghai.RoleRep, DepartmentID: dept.ID})
				if err != nil {
					return err
				}
				team = append(team, u)
			}
			reps = append(reps, team)
			all = append(all, team...)
		}
		now := time.Now()
		began := time.Now()
		n, err := db.ReportBenchHistory(ctx, all, *perCustomer, now.AddDate(-2, 0, 0), now)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: history of %d ownership events written in %s\n", s.label, n, dur(time.Since(began)))
		if err := db.Vacuum(ctx); err != nil {
			return err
		}
		loc := time.FixedZone("CST", 8*3600)
		first := time.Date(now.In(loc).Year()-1, now.In(loc).Month(), 1, 0, 0, 0, 0, loc)
		last := first.AddDate(0, 1, -1)
		q := gonghai.ReportQuery{From: first.Format(time.DateOnly), To: last.Format(time.DateOnly), Grain: gonghai.GrainDay,
			DepartmentID: depts[0].ID}
		var rows int
		floor, err := median3(func() error {
			var err error
			rows, err = db.ReportBenchFloor(ctx, reps[0], first, first.AddDate(0, 1, 0))
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: floor (%s to %s, one department: %d claims): %s\n", s.label, q.From, q.To, rows, dur(floor))
		fmt.Fprintf(env.Stdout, "%-8s  %-20s  %-10s  %-8s  %s\n", s.label, "report", "median", "×floor", "verdict")
		for _, r := range gonghai.Reports {
			took, err := median3(func() error {
				_, err := db.Report(ctx, s.admin, r.Name, q)
				return err
			})
			if gonghai.ErrorCode(err) == gonghai.ENotFound {
				fmt.Fprintf(env.Stdout, "%-8s  %-20s  (not built)\n", s.label, r.Name)
				continue
			}
			if err != nil {
				return fmt.Errorf("report %s: %w", r.Name, err)
			}
			verdict := "ok"
			ratio := took.Seconds() / floor.Seconds()
			if ratio > 2 || took > 2*time.Second {
				verdict = "over target"
			}
			fmt.Fprintf(env.Stdout, "%-8s  %-20s  %-10s  %-8.1f  %s\n", s.label, r.Name, dur(took), ratio, verdict)
		}
		return nil
	})
}

// median3 runs f three times and returns the median time.
func median3(f func() error) (time.Duration, error) {
	var ts []time.Duration
	for range 3 {
		began := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ts = append(ts, time.Since(began))
	}
	slices.Sort(ts)
	return ts[1], nil
}
