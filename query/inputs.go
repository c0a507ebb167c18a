package query

import (
	"fmt"
	"slices"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
)

// Inputs returns every file that the commands of targets, and of every
// target they depend on, read: their declared inputs, the inputs their
// depfiles named at their last runs, the files their last traced runs
// read undeclared, and the outputs of the deps among them, sorted and each once. This is `gobuildj inputs` (ninja -t inputs).
func Inputs(g *graph.Graph, targets []*graph.Target) ([]string, error) {
	store, err := cache.OpenReadOnlyState(g.State())
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	defer store.Close()
	named := make(map[*graph.Target]bool, len(targets))
	for _, t := range targets {
		named[t] = true
	}
	seen := map[string]bool{}
	var files []string
	add := func(paths []string) {
		for _, p := range paths {
			if !seen[p] {
				seen[p] = true
				files = append(files, p)
			}
		}
	}
	for _, t := range g.Closure(targets) {
		add(t.Inputs)
		if rec, ok := store.Target(t.Name); ok {
			add(rec.Discovered)
			add(rec.Traced)
		}
		if !named[t] {
			add(t.Outputs)
		}
	}
	slices.Sort(files)
	return files, nil
}
