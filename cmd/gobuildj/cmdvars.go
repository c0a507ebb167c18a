package main

import "github.com/gobuildj/gobuildj/graph"

// takeVars moves the arguments written NAME=value, where NAME is a
// variable name, from args into f.vars (make's `make CC=clang`: they
// override [vars]) and returns the others, the targets.
func (f *buildFlags) takeVars(args []string) []string {
	targets := args[:0:0]
	for _, a := range args {
		if o, ok := graph.ParseOverride(a); ok {
			f.vars = append(f.vars, o)
			continue
		}
		targets = append(targets, a)
	}
	return targets
}
