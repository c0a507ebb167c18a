package engine

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gobuildj/gobuildj/engine/plan"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
)

// Dynamic dependencies: a target with a dyndep file learns some of its
// inputs only once the dep that writes that file has run (ninja's dyndep,
// Shake's need). When the target's static deps are done, the builder reads
// the file: each path it names that another target produces (or that
// names a target) makes that target a dep of this one, and the other paths
// are inputs. Deps the build did not want yet are wanted now, with what
// they depend on: the plan grows while the build runs, and the target
// waits for them before it is decided. A dep that depends on the target
// itself would never finish: that cycle fails the build, naming it.
//
// The inputs and the outputs of the deps found this way are part of the
// target's action key, like its declared ones, so the record of its run
// holds them. The file is read again at each build (the target is never
// taken as up to date before it is read, see check), so that the next
// build wants the same deps and computes the same key: a build after a
// build runs nothing.

// dynState is what a target's dyndep file said in this build.
type dynState struct {
	read  bool
	deps  []*graph.Target // the targets it named that are not static deps
	files []string        // the other files it named, relative to the root
}

// readDyndep returns the paths a dyndep file names: one per line, blank
// lines and lines starting with # left out, relative to dir (the target's
// working folder) unless absolute, cleaned and relative to the root when
// inside it.
func (b *builder) readDyndep(t *graph.Target) ([]string, error) {
	data, err := os.ReadFile(b.abs(t.Dyndep))
	if err != nil {
		return nil, err
	}
	dir := b.abs(t.Dir)
	var paths []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		p := line
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		paths = append(paths, b.rel(filepath.Clean(p)))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}

// loadDyndep reads the dyndep file of n, which is taken (its static deps
// are done), the first time it is taken in this build. It reports whether
// n may be decided now: false when n failed (the file is missing, or names
// a cycle) or waits for the deps the file named.
func (b *builder) loadDyndep(n *node) bool {
	t := n.t
	if n.dyn != nil && n.dyn.read {
		return true
	}
	n.dyn = &dynState{read: true}
	paths, err := b.readDyndep(t)
	if err != nil {
		b.failNow(n, "", fmt.Sprintf("cannot read its dyndep file %s: %v", t.Dyndep, err))
		return false
	}
	var want []int
	for _, p := range paths {
		if p == t.Dyndep || slices.Contains(t.Outputs, p) {
			continue
		}
		d, ok := b.g.Lookup(p)
		if !ok {
			if _, declared := slices.BinarySearch(t.Inputs, p); declared {
				continue
			}
			if _, err := os.Lstat(b.abs(p)); err != nil {
				b.failNow(n, "", fmt.Sprintf("its dyndep file %s names %s, which does not exist and no target produces", t.Dyndep, p))
				return false
			}
			n.dyn.files = append(n.dyn.files, p)
			continue
		}
		if slices.Contains(t.Deps, d) || slices.Contains(n.dyn.deps, d) {
			continue
		}
		if path := b.dependsOn(d.ID, t.ID); path != nil {
			msg := fmt.Sprintf("dependency cycle: its dyndep file %s names %s, which depends on %s: %s",
				t.Dyndep, p, t.Name, b.cycleText(t, path))
			if b.dynErr == nil {
				b.dynErr = b.g.TargetError(t, "dyndep", msg)
			}
			b.failNow(n, "", msg)
			return false
		}
		if !slices.Contains(b.shape.Deps(t.ID), int32(d.ID)) {
			b.shape.addEdge(t.ID, d.ID) // not there from an earlier build of watch mode
		}
		n.dyn.deps = append(n.dyn.deps, d)
		if b.plan.State(d.ID) == plan.Unwanted {
			want = append(want, d.ID)
		}
	}
	if len(want) > 0 {
		b.wantLate(want)
	}
	for _, d := range n.dyn.deps {
		if b.plan.State(d.ID) != plan.Done {
			b.plan.Wait(t.ID)
			return false
		}
	}
	return true
}

// wantLate puts targets the build did not want, and what they depend on,
// in the plan while it runs. They were not looked at before the build:
// each is decided when it is taken, from its record (maybe).
func (b *builder) wantLate(ids []int) {
	before := len(b.cycle)
	b.plan.Want(ids...)
	for id := range b.nodes {
		n := &b.nodes[id]
		if n.inCycle || b.plan.State(id) == plan.Unwanted {
			continue
		}
		n.inCycle = true
		n.verdict, n.reason, n.late = maybe, event.Reason{}, true
		b.cycle = append(b.cycle, id)
		if len(n.t.Cmds) > 0 {
			b.total++
			b.eta.add(b, n)
		}
	}
	if len(b.cycle) > before {
		b.ls.Planned(b.total)
	}
}

// dependsOn returns the chain of deps from target from to target to
// (from, ..., to), or nil when from does not depend on to.
func (b *builder) dependsOn(from, to int) []int {
	if from == to {
		return []int{from}
	}
	seen := map[int]bool{from: true}
	parent := map[int]int{}
	stack := []int{from}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range b.shape.Deps(id) {
			x := int(d)
			if seen[x] {
				continue
			}
			seen[x], parent[x] = true, id
			if x == to {
				path := []int{x}
				for x != from {
					x = parent[x]
					path = append(path, x)
				}
				slices.Reverse(path)
				return path
			}
			stack = append(stack, x)
		}
	}
	return nil
}

// cycleText spells the cycle t -> path... (path ends at t).
func (b *builder) cycleText(t *graph.Target, path []int) string {
	names := []string{t.Name}
	for _, id := range path {
		names = append(names, b.nodes[id].t.Name)
	}
	return strings.Join(names, " -> ")
}

// checkDyndep fails with a *graph.Error if t's dyndep file is neither a
// declared input nor an output of one of its deps: nothing would have
// written it when t is decided.
func (b *builder) checkDyndep(t *graph.Target) error {
	if t.Dyndep == "" {
		return nil
	}
	if _, ok := slices.BinarySearch(t.Inputs, t.Dyndep); ok || producedByDep(t, t.Dyndep) {
		return nil
	}
	return b.g.TargetError(t, "dyndep", fmt.Sprintf("%q is neither an input of the target nor an output of one of its deps (expected the file that a dep writes, such as the output of the target that lists the files)", t.Dyndep))
}

// addEdge makes target d a dep of target t: t's dyndep file named it. The
// plan sees the edge at once (t waits for d, and d's end releases t).
func (s *shape) addEdge(t, d int) {
	s.deps[t] = append(s.deps[t], int32(d))
	s.rdeps[d] = append(s.rdeps[d], int32(t))
}
