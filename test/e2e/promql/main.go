// promql-eval evaluates PromQL queries with Prometheus's own engine over scrapes of a /metrics
// endpoint, as a Prometheus server that scraped that target would. Berth's e2e tier uses it to check
// that every panel of Karpenter's dashboards returns data from a running Berth leader.
//
// Input (stdin, JSON): {"scrapes": [{"at": <unix ms>, "text": "<exposition>"}], "target": {labels},
// "queries": [{"id": "...", "expr": "..."}], "at": <unix ms>}. Scrapes must be in time order.
// Output (stdout, JSON): [{"id": "...", "series": [{"metric": {...}, "value": "1.5"}], "error": "..."}].
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

type scrape struct {
	At   int64  `json:"at"`
	Text string `json:"text"`
}

type query struct {
	ID   string `json:"id"`
	Expr string `json:"expr"`
}

type input struct {
	Scrapes []scrape          `json:"scrapes"`
	Target  map[string]string `json:"target"`
	Queries []query           `json:"queries"`
	At      int64             `json:"at"`
}

type series struct {
	Metric map[string]string `json:"metric"`
	Value  string            `json:"value"`
}

type result struct {
	ID     string   `json:"id"`
	Series []series `json:"series"`
	Error  string   `json:"error,omitempty"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "promql-eval:", err)
		os.Exit(1)
	}
}

func run() error {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		return fmt.Errorf("reading input: %w", err)
	}
	dir, err := os.MkdirTemp("", "promql-eval")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts := tsdb.DefaultOptions()
	opts.OutOfOrderTimeWindow = time.Hour.Milliseconds()
	db, err := tsdb.Open(dir, nil, nil, opts, nil)
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer db.Close()
	for _, s := range in.Scrapes {
		if err := load(db, s, in.Target); err != nil {
			return err
		}
	}
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 50_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute})
	out := make([]result, 0, len(in.Queries))
	for _, q := range in.Queries {
		out = append(out, evaluate(engine, db, q, time.UnixMilli(in.At)))
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

func evaluate(engine *promql.Engine, db storage.Queryable, q query, at time.Time) result {
	r := result{ID: q.ID, Series: []series{}}
	iq, err := engine.NewInstantQuery(context.Background(), db, nil, q.Expr, at)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer iq.Close()
	res := iq.Exec(context.Background())
	if res.Err != nil {
		r.Error = res.Err.Error()
		return r
	}
	switch v := res.Value.(type) {
	case promql.Vector:
		for _, s := range v {
			r.Series = append(r.Series, series{Metric: s.Metric.Map(), Value: strconv.FormatFloat(s.F, 'g', -1, 64)})
		}
	case promql.Scalar:
		r.Series = append(r.Series, series{Metric: map[string]string{}, Value: strconv.FormatFloat(v.V, 'g', -1, 64)})
	default:
		r.Error = fmt.Sprintf("unexpected result type %s", res.Value.Type())
	}
	return r
}

// load appends one scrape's samples as Prometheus's scrape loop does: one series per sample, the
// target's labels added, histograms and summaries flattened into _bucket/_sum/_count and quantiles.
func load(db *tsdb.DB, s scrape, target map[string]string) error {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(s.Text))
	if err != nil {
		return fmt.Errorf("parsing the scrape at %d: %w", s.At, err)
	}
	app := db.Appender(context.Background())
	add := func(name string, m *dto.Metric, extra map[string]string, v float64) error {
		b := labels.NewBuilder(labels.EmptyLabels())
		for k, val := range target {
			b.Set(k, val)
		}
		for _, lp := range m.GetLabel() {
			b.Set(lp.GetName(), lp.GetValue())
		}
		for k, val := range extra {
			b.Set(k, val)
		}
		b.Set(labels.MetricName, name)
		_, err := app.Append(0, b.Labels(), s.At, v)
		return err
	}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			if err := addMetric(add, name, f.GetType(), m); err != nil {
				_ = app.Rollback()
				return fmt.Errorf("storing %s: %w", name, err)
			}
		}
	}
	return app.Commit()
}

type adder func(name string, m *dto.Metric, extra map[string]string, v float64) error

func addMetric(add adder, name string, t dto.MetricType, m *dto.Metric) error {
	format := func(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
	switch t {
	case dto.MetricType_COUNTER:
		return add(name, m, nil, m.GetCounter().GetValue())
	case dto.MetricType_GAUGE:
		return add(name, m, nil, m.GetGauge().GetValue())
	case dto.MetricType_UNTYPED:
		return add(name, m, nil, m.GetUntyped().GetValue())
	case dto.MetricType_HISTOGRAM:
		h := m.GetHistogram()
		for _, b := range h.GetBucket() {
			if err := add(name+"_bucket", m, map[string]string{"le": format(b.GetUpperBound())}, float64(b.GetCumulativeCount())); err != nil {
				return err
			}
		}
		if err := add(name+"_sum", m, nil, h.GetSampleSum()); err != nil {
			return err
		}
		return add(name+"_count", m, nil, float64(h.GetSampleCount()))
	case dto.MetricType_SUMMARY:
		sm := m.GetSummary()
		for _, q := range sm.GetQuantile() {
			if err := add(name, m, map[string]string{"quantile": format(q.GetQuantile())}, q.GetValue()); err != nil {
				return err
			}
		}
		if err := add(name+"_sum", m, nil, sm.GetSampleSum()); err != nil {
			return err
		}
		return add(name+"_count", m, nil, float64(sm.GetSampleCount()))
	default:
		return fmt.Errorf("metric type %s is not read", t)
	}
}
