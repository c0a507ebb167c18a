// Package graph reads a Buildfile into a validated graph of targets: it
// parses the TOML, expands variables and globs, resolves dependencies and
// orders the targets so that each comes after its deps.
package graph

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Graph is a validated Buildfile: its targets form a DAG. It answers which
// target a name or path on the command line means (Lookup, Select) and in
// which order targets can be built (Targets). Load builds it and nothing
// changes it afterwards, so it may be read from several goroutines.
type Graph struct {
	File    string   // absolute, cleaned path of the Buildfile
	Root    string   // absolute folder of the Buildfile; every relative path is relative to it
	Default []string // target names from `default` (as written, after variable expansion; may be empty)
	// KeepStale is `remove_stale = false`: a build leaves on disk the
	// recorded outputs of targets no longer in the graph.
	KeepStale bool
	Targets   []*Target // topological order: every target comes after all of its deps
	// Files are the Buildfiles read, absolute: File first, then those it
	// includes, depth first in `include` order.
	Files []string
	// Pools maps each pool to its depth, the most commands of the pool
	// that may run at once; it always holds ConsolePool.
	Pools map[string]int
	// Rules are the [rules.NAME] sections, in file order.
	Rules  []*Rule
	Remote Remote // the [remote] table
	Check  Check  // the [check] table
	// Warnings are what the load found suspicious but not wrong enough to
	// stop (warning.go), each formatted as an Error is, in the order found.
	Warnings []string

	// byName and byOutput index the targets. A graph from a snapshot
	// builds them on first use (index): a no-op build looks up one name.
	byName    map[string]*Target
	byOutput  map[string]*Target // cleaned output path relative to Root -> the target declaring it
	indexOnce sync.Once
	indexed   atomic.Bool
	display   string // the Buildfile's name in messages
	// env is what the load read of the environment (${env:NAME}), for the
	// snapshot's key; nil for a graph from a snapshot.
	env *envReads
	// cmds are the commands of [vars] the load ran, for the snapshot's key.
	cmds *cmdRuns
	// overrides are the variables set on the command line, for Reload.
	overrides []Override
	// fromSnapshot is set when LoadCached found the graph in a snapshot.
	fromSnapshot bool
	// unsaved writes the snapshot of a graph LoadCached could not save yet.
	unsaved func() error
}

// index builds byName and byOutput if the graph came without them.
func (g *Graph) index() {
	g.indexOnce.Do(func() {
		if g.byName == nil {
			byName := make(map[string]*Target, len(g.Targets))
			byOutput := make(map[string]*Target, len(g.Targets))
			for _, t := range g.Targets {
				byName[t.Name] = t
				for _, o := range t.Outputs {
					byOutput[o] = t
				}
			}
			g.byName, g.byOutput = byName, byOutput
		}
		g.indexed.Store(true)
	})
}

// findName finds a target by its exact name without building the index
// when it is not built yet: a linear scan is cheaper for a name or two.
func (g *Graph) findName(name string) (*Target, bool) {
	if g.indexed.Load() {
		t, ok := g.byName[name]
		return t, ok
	}
	for _, t := range g.Targets {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// Target is one node: a command (possibly a list) with inputs, outputs and
// deps. A target with no Cmds is an alias, done when its deps are.
type Target struct {
	ID          int    // index in Graph.Targets
	Name        string // as written in [targets.NAME]
	Description string // expanded; defaults to Name
	// Deps are the direct deps, in declaration order, without duplicates:
	// explicit `deps` first, then implicit ones (a literal input or a glob
	// match that another target declares as output), in Inputs order.
	Deps []*Target
	// Consumes says which outputs of each of Deps (same index) the
	// target consumes, which are those its action key covers: nil for
	// all of them, else their indices in that dep's Outputs, in
	// increasing order. A dep named only by output paths (in deps, or an
	// input that it declares as an output) is consumed by those outputs;
	// one named by its name, an alias, and every dep of a target whose
	// cmd or env uses ${deps} (which lists all their outputs), whole.
	// Consumes itself is nil when every dep is consumed whole. See
	// Consumed.
	Consumes    [][]int
	RDeps       []*Target     // reverse deps (the targets with this one in Deps), sorted by ID
	Inputs      []string      // files after glob expansion: cleaned, relative to Root (absolute if outside it), sorted, unique: a set (${in} keeps the written order)
	Globs       []string      // the input patterns (with glob metacharacters), expanded of vars, cleaned, as Glob takes them
	Outputs     []string      // cleaned, relative to Root, in declaration order
	Cmds        []string      // fully expanded commands (all ${...} replaced, $$ -> $)
	Dir         string        // working folder, cleaned, relative to Root ("." for Root)
	Env         []string      // "KEY=value" from `env`, expanded, sorted by KEY
	Timeout     time.Duration // 0: none
	KillTimeout time.Duration // 0: the engine's default
	Always      bool          // run on every build, never skipped
	Ports       int           // free TCP ports its commands get (GOBUILDJ_PORTS) while they run
	Retries     int           // how many times a failure is run again before it counts (0: none)
	LocalOnly   bool          // remote = false: never looked up in, run on or shared with a remote server
	Pool        string        // the pool its commands run in (a key of Graph.Pools), "" for none
	// Depfile is the make-format file its commands write (gcc -MD -MF),
	// cleaned, relative to Root; "" for none. The files it names are
	// inputs of the next build.
	Depfile string
	// Dyndep is the file, written by one of its deps (or a declared
	// input), that names more inputs of it once that dep has run: each
	// path in it that another target produces makes that target a dep.
	// Cleaned, relative to Root; "" for none.
	Dyndep string
	// Tools are the programs declared in `tools`, whose content enters the
	// action key beside the programs the commands run: a name to look up
	// in the PATH the commands see ("gcc-12"), or a path, absolute or
	// "./"-prefixed relative to Root ("./tools/cc-wrapper").
	Tools []string
	// EnvInputs are the inherited environment variables of `env_inputs`,
	// sorted, unique: their values enter the action key.
	EnvInputs []string
	// Secondary: its outputs may be missing without a rebuild while
	// nothing upstream changed and no target that needs them runs
	// (make's .SECONDARY).
	Secondary bool
	// Intermediate: as Secondary, and a build deletes its outputs once
	// every target of the build that needs them is done (make's
	// .INTERMEDIATE, Shake's removeFilesAfter).
	Intermediate bool
	// Sandbox: its commands run in a Landlock sandbox that lets them read
	// only what the target declared (and the system) and write only its
	// outputs (`sandbox = true`, or the --sandbox flag).
	Sandbox bool
	// Trace: its commands run traced (trace = true, or --trace-deps for
	// all), and the files they read or looked for inside the project are
	// inputs of its next build, as a depfile's are.
	Trace bool
	Rule  string // for an instance of a rule: the rule's name, else ""
	Match string // for an instance of a rule: the file foreach matched, relative to Root
	File  string // the absolute path of the Buildfile that declares it
}

// Consumed returns the indices in Deps[i].Outputs of the outputs that t
// consumes, or nil when it consumes all of them (see Consumes).
func (t *Target) Consumed(i int) []int {
	if t.Consumes == nil {
		return nil
	}
	return t.Consumes[i]
}

// ConsolePool is the built-in pool of depth 1 whose commands get the
// terminal: its stdin, stdout and stderr, uncaptured (an interactive
// command, a long test with live output).
const ConsolePool = "console"

// Rule is a [rules.NAME] section after expansion: the targets it made.
type Rule struct {
	Name string
	// Foreach are its patterns, expanded of variables, relative to Root.
	Foreach []string
	// Target is the alias named after the rule: its deps are the instances.
	Target *Target
	// Instances are the targets made, one per matching file, in the order
	// of the matches; each is named by its first output.
	Instances []*Target
}

// IsAlias reports whether t has no command: it is done when its deps are.
func (t *Target) IsAlias() bool { return len(t.Cmds) == 0 }

// Lookup finds a target by name or by a declared output path (cleaned,
// relative to Root: "./x" and "x" are the same; an absolute path under Root
// also works).
func (g *Graph) Lookup(name string) (*Target, bool) {
	g.index()
	return lookup(g.byName, g.byOutput, g.Root, name)
}

func lookup(byName, byOutput map[string]*Target, root, name string) (*Target, bool) {
	t, _, ok := lookupOutput(byName, byOutput, root, name)
	return t, ok
}

// lookupOutput is lookup that also returns the output path (relative to
// root) that name is, or "" when it is a target's name.
func lookupOutput(byName, byOutput map[string]*Target, root, name string) (*Target, string, bool) {
	if t, ok := byName[name]; ok {
		return t, "", true
	}
	p := filepath.Clean(name)
	if filepath.IsAbs(p) {
		r, err := filepath.Rel(root, p)
		if err != nil || escapes(r) {
			return nil, "", false
		}
		p = r
	}
	t, ok := byOutput[p]
	if !ok {
		return nil, "", false
	}
	return t, p, true
}

// Select resolves command-line names to targets, in the order given and
// without duplicates. With no names it selects `default` if set, else "all"
// if it exists, else the Roots (as ninja does), else it fails saying there
// is nothing to build. An unknown name is an *Error like
// `unknown target "x"` (with a "did you mean" suggestion when one is
// close).
func (g *Graph) Select(names []string) ([]*Target, error) {
	if len(names) == 0 {
		switch {
		case len(g.Default) > 0:
			names = g.Default
		case func() bool { _, ok := g.findName("all"); return ok }():
			names = []string{"all"}
		case len(g.Targets) > 0:
			return g.Roots(), nil
		default:
			return nil, &Error{File: g.display, Msg: g.nothingToBuild()}
		}
	}
	sel := make([]*Target, 0, len(names))
	seen := make(map[*Target]struct{}, len(names))
	for _, name := range names {
		t, ok := g.findName(name)
		if !ok {
			t, ok = g.Lookup(name)
		}
		if !ok {
			return nil, &Error{File: g.display, Msg: g.unknown(name)}
		}
		if _, dup := seen[t]; !dup {
			seen[t] = struct{}{}
			sel = append(sel, t)
		}
	}
	return sel, nil
}

// Roots returns the targets that no target depends on, in ID order: what
// a build with no target named builds when the Buildfile has no default
// and no target "all".
func (g *Graph) Roots() []*Target {
	var roots []*Target
	for _, t := range g.Targets {
		if len(t.RDeps) == 0 {
			roots = append(roots, t)
		}
	}
	return roots
}

// BuildsRoots reports whether Select with no names selects the Roots: the
// Buildfile has targets, but no default and no target "all".
func (g *Graph) BuildsRoots() bool {
	_, all := g.findName("all")
	return len(g.Default) == 0 && !all && len(g.Targets) > 0
}

func (g *Graph) sortedNames() []string {
	g.index()
	names := make([]string, 0, len(g.byName))
	for name := range g.byName {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// nothingToBuild is the message for a Buildfile with no targets.
func (g *Graph) nothingToBuild() string {
	return "nothing to build: the Buildfile has no targets (expected [targets.NAME] sections)"
}

func (g *Graph) unknown(name string) string {
	g.index()
	cands := g.sortedNames()
	for o := range g.byOutput {
		cands = append(cands, o)
	}
	slices.Sort(cands[len(g.byName):])
	hint := g.ruleHint(name)
	if hint == "" {
		hint = didYouMean(name, cands)
	}
	return fmt.Sprintf("unknown target %q (expected a target name or an output path declared by a target%s)", name, hint)
}

// topoSort orders targets (given in file order) so that each comes after its
// deps: a depth-first walk from each target in file order, deps in
// declaration order. If the deps form a cycle it returns the cycle instead,
// as a path that starts and ends with the same target. It uses Target.ID as
// the index in targets.
func topoSort(targets []*Target) (order, cycle []*Target) {
	const (
		unseen = iota
		active
		done
	)
	state := make([]uint8, len(targets))
	order = make([]*Target, 0, len(targets))
	var stack []*Target
	var visit func(t *Target) bool
	visit = func(t *Target) bool {
		state[t.ID] = active
		stack = append(stack, t)
		for _, d := range t.Deps {
			switch state[d.ID] {
			case active:
				i := slices.Index(stack, d)
				cycle = append(slices.Clone(stack[i:]), d)
				return false
			case unseen:
				if !visit(d) {
					return false
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[t.ID] = done
		order = append(order, t)
		return true
	}
	for _, t := range targets {
		if state[t.ID] == unseen && !visit(t) {
			return nil, cycle
		}
	}
	return order, nil
}

// finish numbers targets in topological order and fills RDeps.
func finish(order []*Target) {
	edges := 0
	for i, t := range order {
		t.ID = i
		edges += len(t.Deps)
	}
	counts := make([]int, len(order))
	for _, t := range order {
		for _, d := range t.Deps {
			counts[d.ID]++
		}
	}
	arena := make([]*Target, edges) // one allocation for every RDeps
	for _, t := range order {
		if c := counts[t.ID]; c > 0 {
			t.RDeps, arena = arena[:0:c], arena[c:]
		}
	}
	for _, t := range order { // in ID order, so each RDeps is sorted
		for _, d := range t.Deps {
			d.RDeps = append(d.RDeps, t)
		}
	}
}

// cycleMessage spells a cycle "dependency cycle: a -> b -> a", explaining
// edges that come from inputs rather than deps.
func cycleMessage(cycle []*Target) string {
	var b strings.Builder
	b.WriteString("dependency cycle: ")
	var why []string
	for i, t := range cycle {
		if i > 0 {
			b.WriteString(" -> ")
			if w := implicitEdge(cycle[i-1], t); w != "" {
				why = append(why, w)
			}
		}
		b.WriteString(t.Name)
	}
	if len(why) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(why, "; "))
		b.WriteString(")")
	}
	return b.String()
}

// implicitEdge explains why from depends on to when it is through an input.
func implicitEdge(from, to *Target) string {
	for _, in := range from.Inputs {
		if slices.Contains(to.Outputs, in) {
			return fmt.Sprintf("%s reads %s, an output of %s", from.Name, strconv.Quote(in), to.Name)
		}
	}
	return ""
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
