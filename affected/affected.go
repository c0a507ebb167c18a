// Package affected finds the targets that files changed since a git ref
// reach: a changed file makes the targets that read it affected (declared
// inputs, glob matches, and the inputs their last depfiles named), and an
// affected target makes every target that depends on it affected too.
// This is --affected and `gobuildj affected`: file level, where Turborepo
// and Nx select whole packages.
package affected

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

// Records are the state store's records of the targets' last runs (a
// *cache.Store): the inputs a run read, depfile inputs included.
type Records interface {
	Target(name string) (cache.TargetRecord, bool)
}

// Reach is an affected target and how a change reached it.
type Reach struct {
	Target *graph.Target
	// File is the changed file that reached it: one it reads, or, through
	// Via, one that a target it depends on reads.
	File string
	// Via is the dep through which File reached it, nil when it reads File.
	Via *graph.Target
}

// Result is what Find found.
type Result struct {
	// Targets are the affected targets among those wanted, in the graph's
	// order (each after its deps).
	Targets []Reach
	// Buildfile is the changed Buildfile (or included one) that made
	// every wanted target affected, "" when none changed.
	Buildfile string
	// Changed are the changed files Find looked at: the changes without
	// the files that targets write (outputs, depfiles) and gobuildj's state.
	Changed []string
}

// Find returns the targets of g affected by the changed files (relative
// to g.Root, absolute outside it) among wanted and everything they depend
// on (the targets a build of wanted would consider). A changed file is
// read by a target when it is a declared input, matches one of its input
// globs (a deleted or added file too), or is an input its last recorded
// run read (what its depfile named). A changed Buildfile makes every one
// of them affected. The outputs and depfiles targets declare are not
// sources and are left out, as is gobuildj's state folder.
func Find(g *graph.Graph, recs Records, changed []string, wanted []*graph.Target) Result {
	written := map[string]bool{}
	for _, t := range g.Targets {
		for _, o := range t.Outputs {
			written[o] = true
		}
		if t.Depfile != "" {
			written[t.Depfile] = true
		}
	}
	buildfiles := map[string]bool{}
	for _, f := range g.Files {
		buildfiles[f] = true
	}
	var res Result
	for _, f := range changed {
		if written[f] || statedir.Holds(f) {
			continue
		}
		res.Changed = append(res.Changed, f)
		if res.Buildfile == "" && buildfiles[absolute(g.Root, f)] {
			res.Buildfile = f
		}
	}
	scope := g.Closure(wanted)
	if res.Buildfile != "" {
		for _, t := range scope {
			res.Targets = append(res.Targets, Reach{Target: t, File: res.Buildfile})
		}
		return res
	}
	isChanged := make(map[string]bool, len(res.Changed))
	for _, f := range res.Changed {
		isChanged[f] = true
	}
	// A file that goes away where a rule's foreach looks removes an
	// instance: the rule's own target (whose deps they are) changes. (One
	// that appears or changes is read by its instance.)
	foreach := map[*graph.Target][]string{}
	for _, r := range g.Rules {
		for _, f := range res.Changed {
			if matchesAny(r.Foreach, f) {
				foreach[r.Target] = append(foreach[r.Target], f)
			}
		}
	}
	reach := make([]*Reach, len(g.Targets))
	for _, t := range scope { // in graph order: each target after its deps
		if f, ok := readsChanged(t, recs, res.Changed, isChanged); ok {
			reach[t.ID] = &Reach{Target: t, File: f}
			continue
		}
		for _, d := range t.Deps {
			if r := reach[d.ID]; r != nil {
				reach[t.ID] = &Reach{Target: t, File: r.File, Via: d}
				break
			}
		}
		if fs := foreach[t]; reach[t.ID] == nil && len(fs) > 0 {
			reach[t.ID] = &Reach{Target: t, File: fs[0]}
		}
	}
	for _, t := range scope {
		if r := reach[t.ID]; r != nil {
			res.Targets = append(res.Targets, *r)
		}
	}
	return res
}

// readsChanged returns the first changed file, in sorted order, that t
// reads: a declared input, a match of one of its globs, a local tool, or
// an input of its last recorded run.
func readsChanged(t *graph.Target, recs Records, changed []string, isChanged map[string]bool) (string, bool) {
	var found []string
	for _, in := range t.Inputs {
		if isChanged[in] {
			found = append(found, in)
		}
	}
	for _, tool := range t.Tools {
		// A tool is a name looked up in PATH, an absolute path, or a path
		// "./"-prefixed relative to the Buildfile's folder.
		if strings.HasPrefix(tool, "./") || filepath.IsAbs(tool) {
			if p := filepath.Clean(tool); isChanged[p] {
				found = append(found, p)
			}
		}
	}
	if recs != nil {
		if rec, ok := recs.Target(t.Name); ok {
			for _, in := range rec.Inputs {
				if isChanged[in.Path] {
					found = append(found, in.Path)
				}
			}
			for _, in := range rec.Discovered {
				if isChanged[in] {
					found = append(found, in)
				}
			}
		}
	}
	for _, f := range changed {
		if matchesAny(t.Globs, f) {
			found = append(found, f)
		}
	}
	if len(found) == 0 {
		return "", false
	}
	return slices.Min(found), true
}

// absolute returns path as an absolute path, relative ones taken from root.
func absolute(root, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}

// matchesAny reports whether path (relative to the Buildfile's folder)
// matches one of the doublestar patterns.
// As globs do when they expand, a hidden file or folder (".name")
// matches only a pattern that names a hidden one.
func matchesAny(patterns []string, path string) bool {
	slash := filepath.ToSlash(path)
	hidden := strings.HasPrefix(slash, ".") || strings.Contains(slash, "/.")
	for _, p := range patterns {
		if hidden && !strings.HasPrefix(p, ".") && !strings.Contains(p, "/.") {
			continue
		}
		if ok, _ := doublestar.Match(p, slash); ok {
			return true
		}
	}
	return false
}
