package query

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
)

// MissingDep is a target whose command read a file that another target
// writes, with no dep path from the writer to the reader: a build may run
// the reader before the writer, or not again after it (ninja -t
// missingdeps).
type MissingDep struct {
	Target   string // the target whose depfile named File, or whose trace saw it read File
	File     string // the generated file, relative to the Buildfile's folder
	Producer string // the target that declares File as an output
}

// String says it as `gobuildj missingdeps` does.
func (m MissingDep) String() string {
	return fmt.Sprintf("%s reads %s, an output of %s, but does not depend on %s", m.Target, m.File, m.Producer, m.Producer)
}

// MissingDeps finds, among the inputs that the targets' depfiles named at
// their last runs, and those their last traced runs read (the state's
// records), the files another target
// produces although the reader does not depend on it, directly or not. It
// returns them sorted by target then file, and how many targets had a
// record to look at.
func MissingDeps(g *graph.Graph) ([]MissingDep, int, error) {
	store, err := cache.OpenReadOnlyState(g.State())
	if err != nil {
		return nil, 0, fmt.Errorf("state: %w", err)
	}
	defer store.Close()
	producer := map[string]*graph.Target{}
	for _, t := range g.Targets {
		for _, o := range t.Outputs {
			producer[o] = t
		}
	}
	var found []MissingDep
	checked := 0
	for _, t := range g.Targets {
		rec, ok := store.Target(t.Name)
		if !ok || len(rec.Discovered) == 0 && len(rec.Traced) == 0 {
			continue
		}
		checked++
		var needs map[*graph.Target]bool // t's closure, made when needed
		for _, f := range slices.Concat(rec.Discovered, rec.Traced) {
			p := producer[f]
			if p == nil || p == t {
				continue
			}
			if needs == nil {
				needs = map[*graph.Target]bool{}
				for _, d := range g.Closure([]*graph.Target{t}) {
					needs[d] = true
				}
			}
			if !needs[p] {
				found = append(found, MissingDep{Target: t.Name, File: f, Producer: p.Name})
			}
		}
	}
	slices.SortFunc(found, func(a, b MissingDep) int {
		if a.Target != b.Target {
			return strings.Compare(a.Target, b.Target)
		}
		return strings.Compare(a.File, b.File)
	})
	return found, checked, nil
}
