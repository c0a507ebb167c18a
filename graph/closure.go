package graph

import "github.com/gobuildj/gobuildj/internal/statedir"

// Closure returns roots and every target they depend on, directly or not,
// each once and in g's order (every target after its deps). Commands that
// act on "these targets and what they need" (clean, graph) start from it.
func (g *Graph) Closure(roots []*Target) []*Target {
	in := make([]bool, len(g.Targets))
	stack := append([]*Target(nil), roots...)
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if in[t.ID] {
			continue
		}
		in[t.ID] = true
		stack = append(stack, t.Deps...)
	}
	var out []*Target
	for _, t := range g.Targets {
		if in[t.ID] {
			out = append(out, t)
		}
	}
	return out
}

// State is the state folder of g's Buildfile, with the files of its own
// records (statedir.For): those of another Buildfile of the same folder
// are not g's.
func (g *Graph) State() statedir.Dir { return statedir.For(g.Root, g.File) }
