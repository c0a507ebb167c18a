package clean

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/gobuildj/gobuildj/cache"
)

// Plan is what a clean removes, checked: every file in it may be removed.
type Plan struct {
	// Root is the Buildfile's folder.
	Root string
	// Targets are the targets with a record among those asked for, in
	// the order asked: their records are forgotten.
	Targets []string
	// Files are the absolute paths of their recorded outputs and
	// depfiles, sorted, each once.
	Files []string
}

// NewPlan works out from the records in store what cleaning targets (names;
// those without a record are skipped) removes in the Buildfile's folder
// root. If a recorded file must not be removed it returns a *RefusedError
// naming each such file, and no plan.
func NewPlan(root string, store *cache.Store, targets []string) (*Plan, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("resolve the Buildfile's folder: %w", err)
	}
	p := &Plan{Root: root}
	var refused []Refusal
	for _, name := range targets {
		rec, ok := store.Target(name)
		if !ok {
			continue
		}
		p.Targets = append(p.Targets, name)
		refused = p.add(realRoot, name, recordedFiles(&rec), nil, refused)
	}
	return p.done(refused)
}

// recordedFiles returns the files rec says its run created: its outputs,
// then its depfile.
func recordedFiles(rec *cache.TargetRecord) []string {
	paths := make([]string, 0, len(rec.Outputs)+1)
	for _, o := range rec.Outputs {
		paths = append(paths, o.Path)
	}
	if rec.Depfile != "" {
		paths = append(paths, rec.Depfile)
	}
	return paths
}

// add checks the files paths recorded for target (absolute, or relative
// to p.Root) and adds to the plan those that may be removed, skipping
// those in keep (absolute); it returns refused with the others appended.
func (p *Plan) add(realRoot, target string, paths []string, keep map[string]bool, refused []Refusal) []Refusal {
	for _, path := range paths {
		abs := path
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(p.Root, path)
		}
		if keep[filepath.Clean(abs)] {
			continue
		}
		if r, bad := check(p.Root, realRoot, abs); bad {
			r.Target = target
			refused = append(refused, r)
			continue
		}
		p.Files = append(p.Files, abs)
	}
	return refused
}

// done returns the plan, its files sorted, or a *RefusedError if some
// were refused.
func (p *Plan) done(refused []Refusal) (*Plan, error) {
	if len(refused) > 0 {
		return nil, &RefusedError{Root: p.Root, Refused: refused}
	}
	slices.Sort(p.Files)
	p.Files = slices.Compact(p.Files)
	return p, nil
}
