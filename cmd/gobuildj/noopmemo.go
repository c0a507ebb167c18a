package main

import (
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

// noopMemo is what a build server keeps of its last build that ran
// nothing: the events it told, to tell them again, at once, for the same
// request when nothing it looked at can have changed since. A build costs
// then what the graph's load costs, not the stat and check of every file.
//
// The memo holds while: the request is the same (arguments, environment,
// working folder), the graph comes from the same snapshot (its Buildfiles,
// includes, globs, environment reads and [vars] commands were checked by
// its load), the stat cache's generation did not move (no file-system event
// outside the state folder, no overflow, no lost watch, no mount change,
// every file of the build answered from memory), and the files of the
// state folder are those the build left (a standalone build or another
// tool that wrote them ends it), and the programs its commands ran (read
// outside the stat cache: their files, the PATH folders they were looked
// up in) have the fingerprints they had. Targets whose inputs are found
// while they run or check (depfile, dyndep, trace) are read outside the
// stat cache: a graph with any never uses the memo, nor do flags whose
// outcome depends on more than the files (-B, -n, --remote-*, --affected, --trace-deps,
// --check-deps).
type noopMemo struct {
	// generation is the stat cache's Generation; nil: no stat cache, no
	// memo.
	generation func() (int64, bool)

	mu    sync.Mutex
	key   string // the request the memo answers
	valid bool
	gen   int64
	snap  fileid.Fingerprint
	state map[string]fileid.Fingerprint
	// programs are the fingerprints of the files and folders the build
	// read its programs from (absent ones: the zero Fingerprint).
	programs map[string]fileid.Fingerprint
	events   []func(l event.Listener)
	sum      event.Summary
	// Replays counts the builds answered from the memo.
	replays int
}

// requestKey identifies a request: what it builds and how.
func requestKey(req serverRequest) string {
	var b strings.Builder
	b.WriteString(req.Cwd)
	for _, s := range [][]string{req.Args, req.Env} {
		b.WriteByte(0)
		for _, a := range s {
			b.WriteString(a)
			b.WriteByte(1)
		}
	}
	return b.String()
}

// memoEligible says whether the build of these flags and graph may be
// answered from the memo (and may fill it).
func memoEligible(f buildFlags, g *graph.Graph) bool {
	if f.dryRun || f.force || f.traceDeps || f.affected != "" || f.checkDeps != "" || f.checkAll || f.question || f.json {
		return false
	}
	if !g.FromSnapshot() {
		return false
	}
	for _, t := range g.Targets {
		if t.Depfile != "" || t.Dyndep != "" || t.Trace {
			return false
		}
	}
	return true
}

// stateFiles fingerprints the files of the state folder a build's
// decisions read (its own run records, logs, lock and the server's files
// aside).
func stateFiles(dir statedir.Dir) (map[string]fileid.Fingerprint, bool) {
	entries, err := os.ReadDir(dir.Path())
	if err != nil {
		return nil, false
	}
	out := make(map[string]fileid.Fingerprint, len(entries))
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || name == "lock" || strings.HasPrefix(name, "server.") || strings.HasPrefix(name, ".statcache-cookie") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, false
		}
		fp, ok := fileid.FromFileInfo(info)
		if !ok {
			return nil, false
		}
		out[name] = fp
	}
	return out, true
}

func sameFiles(a, b map[string]fileid.Fingerprint) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// lookup returns the events to tell for the build of key on g, or false
// when the build must run.
func (m *noopMemo) lookup(key string, g *graph.Graph) ([]func(event.Listener), event.Summary, bool) {
	if m == nil || m.generation == nil {
		return nil, event.Summary{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.valid || m.key != key {
		return nil, event.Summary{}, false
	}
	m.valid = false // until proved again
	gen, ok := m.generation()
	if !ok || gen != m.gen {
		return nil, event.Summary{}, false
	}
	dir := g.State()
	snap, err := fileid.Stat(dir.Snapshot())
	if err != nil || snap != m.snap {
		return nil, event.Summary{}, false
	}
	state, ok := stateFiles(dir)
	if !ok || !sameFiles(state, m.state) {
		return nil, event.Summary{}, false
	}
	for path, was := range m.programs {
		if fingerprint(path) != was {
			return nil, event.Summary{}, false
		}
	}
	m.valid = true
	m.replays++
	return m.events, m.sum, true
}

// count is how many builds the memo answered.
func (m *noopMemo) count() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.replays
}

// forget drops the memo: the build about to run may change anything.
func (m *noopMemo) forget() {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.valid = false
	m.mu.Unlock()
}

// keep makes the events of a build that ran nothing and succeeded the
// memo of key, once its writes are done.
func (m *noopMemo) keep(key string, g *graph.Graph, rec *memoRecorder) {
	if m == nil || m.generation == nil || rec == nil || !rec.noop {
		return
	}
	gen, ok := m.generation()
	if !ok || gen != rec.gen {
		// Something changed while it ran, or it stated a file the stat
		// cache does not keep: nothing proves the next build alike.
		return
	}
	dir := g.State()
	snap, err := fileid.Stat(dir.Snapshot())
	if err != nil {
		return
	}
	state, ok := stateFiles(dir)
	if !ok {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if rec.programs == nil { // the build did not say what it ran
		return
	}
	m.key, m.gen, m.snap, m.state = key, gen, snap, state
	m.events, m.sum, m.programs = rec.events, rec.sum, rec.programs
	m.valid = true
}

// memoRecorder records the events of a build, and whether it ran
// nothing and ended well.
type memoRecorder struct {
	gen      int64 // the stat cache's generation before the build
	programs map[string]fileid.Fingerprint
	events   []func(event.Listener)
	sum      event.Summary
	noop     bool // so far
}

// record starts recording a build about to run.
func (m *noopMemo) record() *memoRecorder {
	if m == nil || m.generation == nil {
		return nil
	}
	gen, ok := m.generation()
	if !ok {
		return nil
	}
	return &memoRecorder{gen: gen, noop: true}
}

func (r *memoRecorder) Planned(total int) {
	r.events = append(r.events, func(l event.Listener) { l.Planned(total) })
}

func (r *memoRecorder) Explain(target string, why event.Reason) { r.noop = false }
func (r *memoRecorder) Started(ev event.Start)                  { r.noop = false }
func (r *memoRecorder) Finished(ev event.Finish)                { r.noop = false }

func (r *memoRecorder) Skipped(ev event.Skip) {
	if ev.Kind != event.SkipUpToDate {
		r.noop = false
		return
	}
	r.events = append(r.events, func(l event.Listener) { l.Skipped(ev) })
}

func (r *memoRecorder) Message(text string) {
	r.events = append(r.events, func(l event.Listener) { l.Message(text) })
}

func (r *memoRecorder) Done(sum event.Summary) {
	if sum.Run != 0 || sum.Failed != 0 || sum.NotRun != 0 || sum.Interrupted || sum.Cached != 0 || len(sum.Stale) > 0 || sum.DepCheck != nil {
		r.noop = false
	}
	r.sum = sum
}

// Programs takes in what the build read of its programs
// (engine.Options.Programs): their files and the folders they were looked
// up in, fingerprinted now.
func (r *memoRecorder) Programs(files, dirs []string) {
	r.programs = make(map[string]fileid.Fingerprint, len(files)+len(dirs))
	for _, p := range append(files, dirs...) {
		r.programs[p] = fingerprint(p)
	}
}

// fingerprint is the stat fingerprint of path, the zero one if it cannot
// be stated.
func fingerprint(path string) fileid.Fingerprint {
	fp, err := fileid.Stat(path)
	if err != nil {
		return fileid.Fingerprint{}
	}
	return fp
}

// replay tells the events of the memo again, as a build starting now.
func replay(events []func(event.Listener), sum event.Summary, l event.Listener) event.Summary {
	start := time.Now()
	for _, ev := range events {
		ev(l)
	}
	sum.Start = start
	sum.Wall = time.Since(start)
	l.Done(sum)
	return sum
}
