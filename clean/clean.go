// Package clean removes the files gobuildj recorded as outputs of targets
// (their declared outputs and the depfiles they wrote) and forgets those
// runs, so that the next build runs them again. It removes nothing else:
// not a file a command wrote without declaring it, not the folders outputs
// were put in. Before removing anything it checks every file: one that
// lies outside the Buildfile's folder, lexically or through a symbolic
// link, or in gobuildj's state folder, makes it refuse (*RefusedError) and
// remove nothing.
package clean

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

// Result is what a clean did.
type Result struct {
	// Removed are the files removed, relative to the Buildfile's folder,
	// in the order they were removed (sorted).
	Removed []string
	// Targets counts the targets whose records were cleaned.
	Targets int
}

// Clean cleans, in g's state, the targets named (as on the command line)
// and everything they depend on, or with no name every target with a
// record, also those no longer in the Buildfile. An unknown name is g's
// *graph.Error; a file it must not remove is a *RefusedError, and then
// nothing was removed. On those errors, and on any before the removals
// start, the Result is nil. Files already gone are not errors; other
// failures (as in Run) come with the Result of what was removed all the
// same.
func Clean(g *graph.Graph, names []string) (*Result, error) {
	var targets []string
	if len(names) > 0 {
		sel, err := g.Select(names)
		if err != nil {
			return nil, err
		}
		for _, t := range g.Closure(sel) {
			targets = append(targets, t.Name)
		}
	}
	store, err := cache.OpenState(g.State())
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	defer store.Close()
	if len(names) == 0 {
		targets = store.Targets()
	}
	p, err := NewPlan(g.Root, store, targets)
	if err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	return p.Run(store)
}

// Run removes the plan's files and forgets its targets' records in store.
// A file already gone is not an error; a file it cannot remove or a record
// it cannot forget does not stop it: the failures are reported together at
// the end, with the Result of what was done.
func (p *Plan) Run(store *cache.Store) (*Result, error) {
	res := &Result{Targets: len(p.Targets)}
	var failed []error
	for _, abs := range p.Files {
		err := os.Remove(abs)
		switch {
		case err == nil:
			rel, err := filepath.Rel(p.Root, abs)
			if err != nil {
				rel = abs
			}
			res.Removed = append(res.Removed, rel)
		case !errors.Is(err, fs.ErrNotExist):
			failed = append(failed, err)
		}
	}
	state := statedir.Of(p.Root)
	for _, name := range p.Targets {
		if err := store.ForgetTarget(name); err != nil {
			failed = append(failed, err)
		}
		// The whole output of its last long run goes with the record.
		if err := state.RemoveOutputLog(name); err != nil {
			failed = append(failed, fmt.Errorf("output log of %s: %w", name, err))
		}
	}
	if len(failed) > 0 {
		return res, fmt.Errorf("clean: %w", errors.Join(failed...))
	}
	return res, nil
}
