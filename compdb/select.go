package compdb

import "github.com/gobuildj/gobuildj/graph"

// Targets chooses the targets a database lists, in g's (build) order: with
// no name, every target with a command and an input; else those of the
// named ones that have commands and inputs, an alias (or a rule) standing
// for the targets it depends on, looked through as far as aliases go, and
// with deps also everything the named targets depend on. An unknown name
// is the *graph.Error of g.Select.
func Targets(g *graph.Graph, names []string, deps bool) ([]*graph.Target, error) {
	chosen := make([]bool, len(g.Targets))
	if len(names) == 0 {
		for _, t := range g.Targets {
			chosen[t.ID] = true
		}
	} else {
		named, err := g.Select(names)
		if err != nil {
			return nil, err
		}
		seen := make([]bool, len(g.Targets))
		var walk func(t *graph.Target)
		walk = func(t *graph.Target) {
			if seen[t.ID] {
				return
			}
			seen[t.ID] = true
			chosen[t.ID] = true
			if t.IsAlias() || deps {
				for _, d := range t.Deps {
					walk(d)
				}
			}
		}
		for _, t := range named {
			walk(t)
		}
	}
	var out []*graph.Target
	for _, t := range g.Targets {
		if chosen[t.ID] && !t.IsAlias() && len(t.Inputs) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}
