package engine

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/statedir"
	"github.com/gobuildj/gobuildj/trace"
)

// Traced inputs: the commands of a target with trace = true (or of every
// target with --trace-deps) run under the tracer, and what they read inside the
// project without declaring it becomes an input of the target's next
// build, as the files a depfile names do (depfile.go): a target without a
// depfile still gets exact header dependencies. The paths they looked for
// and did not find inside the project (a header searched for in an -I
// folder that does not hold it) are recorded too, as paths that must stay
// empty: a file created at one of them runs the target again. Left out:
// its declared inputs, its deps' outputs, its outputs and depfile, what
// the commands wrote or deleted themselves, the state folder, folders and
// other files that are not regular, and everything outside the project
// (the programs the commands run are in the key already as tools; system
// headers are keyed by a depfile of gcc -MD, not by tracing). A read of
// another target's output makes no dep in this build (gobuildj check
// reports it); it is recorded as an input all the same.

// tracing reports whether t's commands run traced.
func (b *builder) tracing(t *graph.Target) bool {
	return t.Trace || b.opts.Trace
}

// withTraced adds to inputs (sorted by path) what the last traced run of
// t read undeclared, hashed, and the paths it probed, with
// cache.AbsentHash while nothing is there. A read file that is gone is
// left out, and a probed path where a file now is gets that file's hash:
// either way the key differs from the recorded one.
func (b *builder) withTraced(t *graph.Target, inputs []cache.PathHash) []cache.PathHash {
	if !b.tracing(t) {
		return inputs
	}
	rec, ok := b.store.Target(t.Name)
	if !ok || len(rec.Traced) == 0 && len(rec.Probed) == 0 {
		return inputs
	}
	out := slices.Grow(slices.Clip(inputs), len(rec.Traced)+len(rec.Probed))
	for _, p := range rec.Traced {
		if h, err := b.files.Hash(b.abs(p)); err == nil {
			out = append(out, cache.PathHash{Path: p, Hash: h})
		}
	}
	for _, p := range rec.Probed {
		out = append(out, cache.PathHash{Path: p, Hash: b.probedHash(p)})
	}
	return sortInputs(out)
}

// probedHash is the hash a probed path stands for in an action: that of
// the file there, the zero hash if something that is no regular file is
// there, else (nothing, or a link to nothing) cache.AbsentHash.
func (b *builder) probedHash(p string) cache.Hash {
	abs := b.abs(p)
	if !exists(abs) {
		return cache.AbsentHash()
	}
	h, err := b.files.Hash(abs)
	if err != nil {
		return cache.Hash{}
	}
	return h
}

// exists reports whether something is at abs, following links: a link to
// nothing is nothing, as the commands that looked for it saw.
func exists(abs string) bool {
	_, err := os.Stat(abs)
	return err == nil
}

// sortInputs sorts inputs by path and drops the later duplicates.
func sortInputs(in []cache.PathHash) []cache.PathHash {
	slices.SortStableFunc(in, func(a, b cache.PathHash) int { return cmp.Compare(a.Path, b.Path) })
	return slices.CompactFunc(in, func(a, b cache.PathHash) bool { return a.Path == b.Path })
}

// readTrace makes what n's traced commands read undeclared, and the paths
// they probed, part of n's action and of the record of the run. Without a
// report (the tracer could not run, or the result came from a cache) the
// last traced run's lists stand. It is called once the depfile, if any,
// is read: a file the depfile named is its input, not a traced one. pre
// is n's action as it was before the run, with the hashes of what the
// command saw of the files the last traced run found.
func (b *builder) readTrace(n *node, pre *cache.Action, rep *trace.Report) {
	t := n.t
	if !b.tracing(t) {
		return
	}
	rec, _ := b.store.Target(t.Name)
	found, probed := rec.Traced, rec.Probed
	if rep != nil {
		found, probed = b.tracedPaths(n, rep)
	}
	before := make(map[string]cache.Hash, len(pre.Inputs))
	for _, ph := range pre.Inputs {
		before[ph.Path] = ph.Hash
	}
	old := make(map[string]bool, len(rec.Traced)+len(rec.Probed))
	for _, p := range rec.Traced {
		old[p] = true
	}
	for _, p := range rec.Probed {
		old[p] = true
	}
	// The inputs of the action, but for those the last traced run found.
	inputs := make([]cache.PathHash, 0, len(n.action.Inputs)+len(found)+len(probed))
	for _, ph := range n.action.Inputs {
		if !old[ph.Path] || b.declaredOrNamed(n, ph.Path) {
			inputs = append(inputs, ph)
		}
	}
	for _, p := range found {
		if ph, ok := b.seenHash(n, before, p); ok {
			inputs = append(inputs, ph)
		}
	}
	for _, p := range probed {
		h := cache.AbsentHash()
		if exists(b.abs(p)) {
			// Created since it was looked for: what the command would
			// do now is not known, so the next build runs it again.
			h = cache.Hash{}
		}
		inputs = append(inputs, cache.PathHash{Path: p, Hash: h})
	}
	a := *n.action
	a.Inputs = sortInputs(inputs)
	n.action = &a
	n.key = a.Key()
	n.traced, n.probed = found, probed
}

// declaredOrNamed reports whether path is a declared input of n, or one
// its depfile or dyndep file named in this build.
func (b *builder) declaredOrNamed(n *node, path string) bool {
	if _, ok := slices.BinarySearch(n.t.Inputs, path); ok {
		return true
	}
	if slices.Contains(n.discovered, path) {
		return true
	}
	return n.dyn != nil && slices.Contains(n.dyn.files, path)
}

// tracedPaths sorts what a trace of n's commands saw into the files they
// read that n does not declare (nor has as its deps' outputs), and the
// paths they probed in vain, both inside the project, relative to the
// root, sorted.
func (b *builder) tracedPaths(n *node, rep *trace.Report) (found, probed []string) {
	t := n.t
	own := make(map[string]bool, len(t.Outputs)+len(rep.Written)+len(rep.Deleted)+len(n.action.DepOutputs)+1)
	for _, o := range t.Outputs {
		own[o] = true
	}
	for _, o := range n.action.DepOutputs {
		own[o.Path] = true // in the key already, as its deps' outputs
	}
	if t.Depfile != "" {
		own[t.Depfile] = true
	}
	inside := b.projectPaths()
	for _, list := range [][]string{rep.Written, rep.Deleted} {
		for _, p := range list {
			if rel, ok := inside.rel(p); ok {
				own[rel] = true
			}
		}
	}
	keep := func(p string) (string, bool) {
		rel, ok := inside.rel(p)
		if !ok || own[rel] || b.declaredOrNamed(n, rel) {
			return "", false
		}
		return rel, true
	}
	for _, p := range rep.Read {
		rel, ok := keep(p)
		if !ok {
			continue
		}
		if fi, err := os.Stat(b.abs(rel)); err != nil || !fi.Mode().IsRegular() {
			continue // a folder listed, a device: not content to hash
		}
		found = append(found, rel)
	}
	slices.Sort(found)
	found = slices.Compact(found)
	for _, p := range rep.Probed {
		// A path looked for in vain, then read (another command made it
		// meanwhile), is a file read.
		if rel, ok := keep(p); ok {
			if _, read := slices.BinarySearch(found, rel); !read {
				probed = append(probed, rel)
			}
		}
	}
	slices.Sort(probed)
	return found, slices.Compact(probed)
}

// projectRoots are the forms of the project's folder a traced path may
// start with: as the Buildfile gave it, and with its links resolved (the
// kernel reports working folders resolved).
type projectRoots struct {
	roots []string // each with a trailing separator
	state string   // the state folder, with a trailing separator
}

func (b *builder) projectPaths() projectRoots {
	sep := string(filepath.Separator)
	pr := projectRoots{roots: []string{b.g.Root + sep}}
	if real, err := filepath.EvalSymlinks(b.g.Root); err == nil && real != b.g.Root {
		pr.roots = append(pr.roots, real+sep)
	}
	pr.state = statedir.Name + sep
	return pr
}

// rel returns the absolute path p relative to the project's folder, and
// whether it is inside it and outside the state folder.
func (pr projectRoots) rel(p string) (string, bool) {
	for _, root := range pr.roots {
		if rel, ok := strings.CutPrefix(p, root); ok && rel != "" {
			if rel == strings.TrimSuffix(pr.state, string(filepath.Separator)) || strings.HasPrefix(rel, pr.state) {
				return "", false
			}
			return rel, true
		}
	}
	return "", false
}

// recordTrace adds what n's traced run found to the record of the run.
func (n *node) recordTrace(rec *cache.TargetRecord) {
	rec.Traced, rec.Probed = n.traced, n.probed
}
