package graphviz

import (
	"strings"

	"github.com/gobuildj/gobuildj/graph"
)

// Label is the text of t's node: its name, and on a second line its
// description when that says more than the name.
func Label(t *graph.Target) string {
	if t.Description == t.Name || t.Description == "" {
		return t.Name
	}
	return t.Name + "\n" + t.Description
}

// Quote returns s as a quoted dot ID: backslashes and quotes escaped,
// newlines written as \n (a centred line break in a label).
func Quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
