package trace

import (
	"path/filepath"
	"sort"
	"strings"
)

// Builder collects paths into a Report: it cleans them, drops the
// kernel's pseudo file systems and removes duplicates. The zero value is
// ready to use.
type Builder struct {
	read, written, deleted, probed map[string]struct{}
}

// ignored reports whether path is in a pseudo file system (/proc, /dev,
// /sys), whose files are not a command's inputs or outputs.
func ignored(path string) bool {
	for _, p := range [...]string{"/proc", "/dev", "/sys"} {
		if rest, ok := strings.CutPrefix(path, p); ok && (rest == "" || rest[0] == '/') {
			return true
		}
	}
	return false
}

func add(set *map[string]struct{}, path string) {
	if path == "" || path[0] != '/' {
		return
	}
	path = filepath.Clean(path)
	if ignored(path) {
		return
	}
	if *set == nil {
		*set = map[string]struct{}{}
	}
	(*set)[path] = struct{}{}
}

// AddRead records a file read.
func (b *Builder) AddRead(path string) { add(&b.read, path) }

// AddWritten records a file written.
func (b *Builder) AddWritten(path string) { add(&b.written, path) }

// AddDeleted records a file deleted.
func (b *Builder) AddDeleted(path string) { add(&b.deleted, path) }

// AddProbed records a path looked up that did not exist.
func (b *Builder) AddProbed(path string) { add(&b.probed, path) }

// Merge adds the paths of r.
func (b *Builder) Merge(r *Report) {
	if r == nil {
		return
	}
	for _, l := range []struct {
		set   *map[string]struct{}
		paths []string
	}{{&b.read, r.Read}, {&b.written, r.Written}, {&b.deleted, r.Deleted}, {&b.probed, r.Probed}} {
		for _, p := range l.paths {
			add(l.set, p)
		}
	}
}

// Report returns the paths collected so far, sorted.
func (b *Builder) Report() *Report {
	return &Report{Read: sorted(b.read), Written: sorted(b.written), Deleted: sorted(b.deleted), Probed: sorted(b.probed)}
}

// Reset empties b for reuse.
func (b *Builder) Reset() { *b = Builder{} }

func sorted(set map[string]struct{}) []string {
	if len(set) == 0 {
		return nil
	}
	s := make([]string, 0, len(set))
	for p := range set {
		s = append(s, p)
	}
	sort.Strings(s)
	return s
}
