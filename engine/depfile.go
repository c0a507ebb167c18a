package engine

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gobuildj/gobuildj/cache"
	cleaning "github.com/gobuildj/gobuildj/clean"
	"github.com/gobuildj/gobuildj/depfile"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/fileid"
)

// Depfiles: a target with a depfile (gcc -MD -MF) learns its inputs by
// running. The files its last depfile named are kept in its record
// (TargetRecord.Discovered); each build hashes them beside its declared
// inputs, so that editing a header reruns exactly the compilations that
// read it. The depfile of a run is removed before the run, so that a
// command that succeeds without writing one is caught instead of a stale
// one being read: by the runner, just before the commands start
// (worker.Job.Depfile), so that a target that never starts keeps the
// depfile of its last run. A depfile that resolves outside the project is
// not removed (gobuildj removes nothing there it did not make): it must
// have been written during the run instead.

// withDiscovered returns the declared inputs of t (sorted, hashed) merged
// with those its last recorded run's depfile named. A named file that no
// longer exists is left out: the input list then differs from the
// recorded one, which reruns the target.
func (b *builder) withDiscovered(t *graph.Target, declared []cache.PathHash) []cache.PathHash {
	if t.Depfile == "" {
		return declared
	}
	rec, ok := b.store.Target(t.Name)
	if !ok || len(rec.Discovered) == 0 {
		return declared
	}
	return b.mergeInputs(t, declared, rec.Discovered)
}

// mergeInputs adds the files found (relative to the root, or absolute) to
// the declared inputs, hashed, sorted by path, without duplicates.
func (b *builder) mergeInputs(t *graph.Target, declared []cache.PathHash, found []string) []cache.PathHash {
	out := make([]cache.PathHash, 0, len(declared)+len(found))
	out = append(out, declared...)
	for _, p := range found {
		h, err := b.files.Hash(b.abs(p))
		if err != nil {
			b.warnNotRegular(t, p, err)
			continue // gone (or unreadable): left out, so the key changes
		}
		out = append(out, cache.PathHash{Path: p, Hash: h})
	}
	slices.SortFunc(out, func(a, b cache.PathHash) int { return cmp.Compare(a.Path, b.Path) })
	return slices.CompactFunc(out, func(a, b cache.PathHash) bool { return a.Path == b.Path })
}

// readDepfile reads the depfile that n's commands just wrote and makes the
// files it names part of n's action, and of the record of the run. It
// returns why the target fails when the depfile is missing or unreadable.
func (b *builder) readDepfile(n *node) string {
	t := n.t
	if t.Depfile == "" {
		return ""
	}
	abs := b.abs(t.Depfile)
	data, err := os.ReadFile(abs)
	if errors.Is(err, fs.ErrNotExist) || err == nil && b.staleOutside(n, abs) {
		return fmt.Sprintf("the command succeeded but did not write its depfile %s", t.Depfile)
	}
	if err != nil {
		return fmt.Sprintf("depfile %s: %v", t.Depfile, err)
	}
	rules, err := depfile.Parse(data)
	if err != nil {
		return fmt.Sprintf("depfile %s: %v", t.Depfile, err)
	}
	dir := b.abs(t.Dir)
	var found []string
	for _, in := range depfile.Inputs(rules) {
		p := b.rel(filepath.Join(dir, in))
		if filepath.IsAbs(in) {
			p = b.rel(filepath.Clean(in))
		}
		_, declared := slices.BinarySearch(t.Inputs, p)
		if !declared && !slices.Contains(t.Outputs, p) && p != t.Depfile {
			found = append(found, p)
		}
	}
	slices.Sort(found)
	found = slices.Compact(found)
	a := *n.action
	a.Inputs = b.seenInputs(n, found)
	n.action = &a
	n.key = a.Key()
	n.discovered = found
	return ""
}

// staleOutside reports whether the depfile at abs, which the runner did
// not remove because it resolves outside the project, was not written
// since n was queued: it is then the last run's, or not the command's.
func (b *builder) staleOutside(n *node, abs string) bool {
	real, err := filepath.EvalSymlinks(b.g.Root)
	if err != nil {
		return true
	}
	if _, outside := cleaning.Check(b.g.Root, real, abs); !outside {
		return false
	}
	fp, err := fileid.Stat(abs)
	return err != nil || !fp.ChangedSince(n.queued)
}

// seenInputs returns n's declared inputs and the files its depfile named,
// each with the hash of what the command saw. The action's inputs were
// hashed before the command started (the declared ones and those the last
// run's depfile named): they keep those hashes, and a file edited during
// the run makes the next build run the command again. A file new to the
// target is hashed now, unless it changed after the command was queued
// (the command may have read the old content): it is recorded with the zero
// hash, which no file has, so that the next build runs the command again.
// Outputs of other targets are not suspected: they were
// done before the command was queued.
func (b *builder) seenInputs(n *node, found []string) []cache.PathHash {
	before := make(map[string]cache.Hash, len(n.action.Inputs))
	out := make([]cache.PathHash, 0, len(n.t.Inputs)+len(found))
	for _, ph := range n.action.Inputs {
		before[ph.Path] = ph.Hash
		if _, ok := slices.BinarySearch(n.t.Inputs, ph.Path); ok {
			out = append(out, ph)
		}
	}
	for _, p := range found {
		if ph, ok := b.seenHash(n, before, p); ok {
			out = append(out, ph)
		}
	}
	slices.SortFunc(out, func(a, b cache.PathHash) int { return cmp.Compare(a.Path, b.Path) })
	return slices.CompactFunc(out, func(a, b cache.PathHash) bool { return a.Path == b.Path })
}

// seenHash returns the file p, which n's run found it read, with the hash
// of what the command saw (see seenInputs): the hash before the run if
// the action had it, else its hash now, or the zero hash if it changed
// since n was queued. It reports false for a file gone (or unreadable),
// which is then left out so that the key changes.
func (b *builder) seenHash(n *node, before map[string]cache.Hash, p string) (cache.PathHash, bool) {
	if h, ok := before[p]; ok {
		return cache.PathHash{Path: p, Hash: h}, true
	}
	queued := n.queued.Add(-fileid.TickSlack()) // see fileid.ChangedSince
	abs := b.abs(p)
	fp, err := fileid.Stat(abs)
	if err != nil {
		return cache.PathHash{}, false
	}
	if b.depOf(p) == "" && fp.StampedFrom(queued) {
		return cache.PathHash{Path: p}, true // changed during the run: the zero hash
	}
	h, err := b.files.Hash(abs)
	if err != nil {
		// Recorded with the zero hash, and left out by withDiscovered:
		// the key differs next time.
		return cache.PathHash{Path: p}, b.warnNotRegular(n.t, p, err)
	}
	return cache.PathHash{Path: p, Hash: h}, true
}

// warnNotRegular warns that a file t's depfile named is not a regular file
// (a FIFO, a device) if err says so. Such a file is never read: it is left
// out of the target's inputs, so the target runs again at every build,
// instead of the build waiting for ever on it.
// It reports whether it warned. The file is recorded with the zero hash
// after the run (seenInputs) and left out before the next one
// (mergeInputs): the two never match.
func (b *builder) warnNotRegular(t *graph.Target, p string, err error) bool {
	var nr *fileid.NotRegularError
	if !errors.As(err, &nr) {
		return false
	}
	b.ls.Message(fmt.Sprintf("gobuildj: warning: %s: its depfile names %s, which is %s, not a regular file: it is not read, and %s runs again at every build", t.Name, p, nr.Kind, t.Name))
	return true
}

// recordDepfile adds the files n's depfile named to the record of its run.
func (n *node) recordDepfile(rec *cache.TargetRecord) {
	rec.Discovered, rec.Depfile = n.discovered, n.t.Depfile
}

// rel expresses an absolute path relative to the root when inside it.
func (b *builder) rel(abs string) string {
	root := b.g.Root + string(filepath.Separator)
	if strings.HasPrefix(abs, root) {
		return abs[len(root):]
	}
	return abs
}
