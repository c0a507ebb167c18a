package graph

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
