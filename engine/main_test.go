package engine

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

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

// recorder is a Status that keeps the order in which targets started.
type recorder struct {
	mu      sync.Mutex
	started []string
}

func (r *recorder) Planned(int)            {}
func (r *recorder) Explain(string, string) {}
func (r *recorder) Skipped(SkipEvent)      {}
func (r *recorder) Message(string)         {}
func (r *recorder) Finished(FinishEvent)   {}
func (r *recorder) Done(Summary)           {}
func (r *recorder) Started(ev StartEvent) {
	r.mu.Lock()
	r.started = append(r.started, ev.Target)
	r.mu.Unlock()
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
	opts.Status = rec
	targets, err := g.Select([]string{"all"})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := Build(g, targets, opts, nil); err != nil {
		tb.Fatal(err)
	}
	return rec.started
}
