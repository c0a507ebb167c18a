package query

import (
	"strings"

	"github.com/gobuildj/gobuildj/graph"
)

// Commands returns the commands that build targets from nothing, in an
// order a build may run them: every target after its deps, each command
// of a target in its order. A command of a target whose folder is not the
// Buildfile's is prefixed with "cd DIR && ", so that each line runs from
// the Buildfile's folder. This is `gobuildj commands` (ninja -t commands).
func Commands(g *graph.Graph, targets []*graph.Target) []string {
	var cmds []string
	for _, t := range g.Closure(targets) {
		for _, c := range t.Cmds {
			if t.Dir != "." {
				c = "cd " + shellQuote(t.Dir) + " && " + c
			}
			cmds = append(cmds, c)
		}
	}
	return cmds
}

// shellQuote quotes s for sh when it holds anything but plain characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
