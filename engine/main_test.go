package engine

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/sched"
)

// The test binary is also the worker program (package worker, imported by
// the engine, registers its task).
func TestMain(m *testing.M) {
	if sched.IsWorker() {
		sched.WorkerMain()
	}
	os.Exit(m.Run())
}

// recorder is a Listener that keeps what happened, in order: the targets
// that started, ended, were skipped (with the kind and why), the messages
// and the summaries.
type recorder struct {
	mu       sync.Mutex
	started  []string
	finished []event.Finish
	skipped  []event.Skip
	messages []string
	planned  []int
	sums     []event.Summary
	// explained are the reasons --explain gives, as "name: reason".
	explained []string
}

func (r *recorder) Planned(total int) {
	r.mu.Lock()
	r.planned = append(r.planned, total)
	r.mu.Unlock()
}
func (r *recorder) Explain(name string, why event.Reason) {
	r.mu.Lock()
	r.explained = append(r.explained, name+": "+why.String())
	r.mu.Unlock()
}
func (r *recorder) Skipped(ev event.Skip) {
	r.mu.Lock()
	r.skipped = append(r.skipped, ev)
	r.mu.Unlock()
}
func (r *recorder) Message(text string) {
	r.mu.Lock()
	r.messages = append(r.messages, text)
	r.mu.Unlock()
}
func (r *recorder) Finished(ev event.Finish) {
	r.mu.Lock()
	r.finished = append(r.finished, ev)
	r.mu.Unlock()
}
func (r *recorder) Done(sum event.Summary) {
	r.mu.Lock()
	r.sums = append(r.sums, sum)
	r.mu.Unlock()
}
func (r *recorder) Started(ev event.Start) {
	r.mu.Lock()
	r.started = append(r.started, ev.Target)
	r.mu.Unlock()
}

// skips lists the skipped targets of kind, as "target: why".
func (r *recorder) skips(kind event.SkipKind) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.skipped {
		if s.Kind == kind {
			out = append(out, s.Target+": "+s.Why)
		}
	}
	return out
}

// loadBuildfile writes a Buildfile into a new folder and loads it.
func loadBuildfile(tb testing.TB, text string) *graph.Graph {
	tb.Helper()
	dir := tb.TempDir()
	path := filepath.Join(dir, "Buildfile.toml")
	if err := os.WriteFile(path, []byte(text), 0o666); err != nil {
		tb.Fatal(err)
	}
	g, err := graph.Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// buildAll runs a build of "all" and returns the order targets started in.
func buildAll(tb testing.TB, g *graph.Graph, opts Options) []string {
	tb.Helper()
	rec := &recorder{}
	opts.Listener = rec
	targets, err := g.Select([]string{"all"})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := Build(g, targets, opts, nil); err != nil {
		tb.Fatal(err)
	}
	return rec.started
}
