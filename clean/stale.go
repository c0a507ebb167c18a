package clean

import (
	"fmt"
	"path/filepath"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
)

// NewStalePlan works out from the records in store what removing the
// stale outputs of g takes: the files gobuildj recorded for a target that
// left the graph (its rule no longer matches a file, it was deleted from
// the Buildfile), and those a target of g recorded but no longer declares
// (its outputs shrank, its depfile moved). A file that is an input, an
// output or a depfile of a target of g stays, whoever recorded it. The
// plan's targets are those whose records go: the departed ones and those
// with files left over (which run again anyway, their outputs changed).
// The checks are NewPlan's: one file that must not be removed makes it
// return a *RefusedError naming each such file, and no plan. With nothing
// stale the plan is empty; finding that out allocates little, as a build
// asks it every time.
func NewStalePlan(g *graph.Graph, store *cache.Store) (*Plan, error) {
	type leftover struct {
		target string
		paths  []string
	}
	var found []leftover
	recorded := 0
	for _, t := range g.Targets {
		left, ok := store.Leftovers(t.Name, t.Outputs, t.Depfile)
		if !ok {
			continue
		}
		recorded++
		if len(left) > 0 {
			found = append(found, leftover{t.Name, left})
		}
	}
	if recorded < store.NumTargets() { // some records are of targets not in g
		names := make(map[string]bool, len(g.Targets))
		for _, t := range g.Targets {
			names[t.Name] = true
		}
		for _, name := range store.Targets() {
			if names[name] {
				continue
			}
			if rec, ok := store.Target(name); ok {
				found = append(found, leftover{name, recordedFiles(&rec)})
			}
		}
	}
	p := &Plan{Root: g.Root}
	if len(found) == 0 {
		return p, nil
	}
	realRoot, err := filepath.EvalSymlinks(g.Root)
	if err != nil {
		return nil, fmt.Errorf("resolve the Buildfile's folder: %w", err)
	}
	keep := graphFiles(g)
	var refused []Refusal
	for _, l := range found {
		p.Targets = append(p.Targets, l.target)
		refused = p.add(realRoot, l.target, l.paths, keep, refused)
	}
	return p.done(refused)
}

// graphFiles returns the absolute paths of the inputs, outputs and
// depfiles of g's targets: the files a clean of stale outputs leaves.
func graphFiles(g *graph.Graph) map[string]bool {
	files := make(map[string]bool)
	add := func(p string) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(g.Root, p)
		}
		files[filepath.Clean(p)] = true
	}
	for _, t := range g.Targets {
		for _, p := range t.Inputs {
			add(p)
		}
		for _, p := range t.Outputs {
			add(p)
		}
		if t.Depfile != "" {
			add(t.Depfile)
		}
	}
	return files
}

// CleanStale removes the stale outputs of g (see NewStalePlan) and forgets
// their targets' records, as `gobuildj clean --stale` does. Its errors are
// Clean's.
func CleanStale(g *graph.Graph) (*Result, error) {
	store, err := cache.OpenState(g.State())
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	defer store.Close()
	p, err := NewStalePlan(g, store)
	if err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	return p.Run(store)
}
