package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// pools reads database/sql's statistics of each pool when scraped, so the
// numbers are never older than the scrape.
type pools struct {
	stats                                 PoolStats
	open, inUse, idle, maxOpen, waitCount *prometheus.Desc
	waitSeconds, closedIdle, closedLife   *prometheus.Desc
}

func poolCollector(stats PoolStats) prometheus.Collector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("gonghai_db_"+name, help, []string{"pool"}, nil)
	}
	return &pools{stats: stats,
		open:        d("open_connections", "Connections open, in use or idle."),
		inUse:       d("in_use_connections", "Connections in use."),
		idle:        d("idle_connections", "Connections idle."),
		maxOpen:     d("max_open_connections", "The most connections the pool opens (0: no limit)."),
		waitCount:   d("wait_count_total", "Times a query waited for a connection."),
		waitSeconds: d("wait_duration_seconds_total", "Time spent waiting for a connection."),
		closedIdle:  d("max_idle_closed_total", "Connections closed because the idle pool was full."),
		closedLife:  d("max_lifetime_closed_total", "Connections closed at the end of their lifetime."),
	}
}

func (p *pools) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.open, p.inUse, p.idle, p.maxOpen, p.waitCount, p.waitSeconds, p.closedIdle, p.closedLife} {
		ch <- d
	}
}

func (p *pools) Collect(ch chan<- prometheus.Metric) {
	for name, s := range p.stats() {
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, name)
		}
		counter := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, name)
		}
		gauge(p.open, float64(s.OpenConnections))
		gauge(p.inUse, float64(s.InUse))
		gauge(p.idle, float64(s.Idle))
		gauge(p.maxOpen, float64(s.MaxOpenConnections))
		counter(p.waitCount, float64(s.WaitCount))
		counter(p.waitSeconds, s.WaitDuration.Seconds())
		counter(p.closedIdle, float64(s.MaxIdleClosed))
		counter(p.closedLife, float64(s.MaxLifetimeClosed))
	}
}
