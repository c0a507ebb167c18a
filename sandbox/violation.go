package sandbox

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/gobuildj/gobuildj/trace"
)

// Violation is a file access a command tried that its Policy denies.
type Violation struct {
	Write bool   // a write, creation, truncation or removal; else a read
	Path  string // absolute
	// Folder: Path is a folder it opened to list, outside p.List, and
	// nothing else was denied; that may not be what failed it (a folder
	// is also opened to look paths up in).
	Folder bool
}

// Violation returns the access of rep (a traced run of the command under
// p) that p denies and that most likely failed it: a write outside
// p.Write, else a read of a file outside p.Read and p.Write, one inside
// project before one outside it, each in path order (a report keeps no
// time order). Folders read come last, and only those outside p.List: a
// tracer also sees the lookups of folders (a compiler's -I), which the
// sandbox allows. Probes are not
// accesses: the sandbox lets a command look up any path.
func (p Policy) Violation(rep *trace.Report, project string) (Violation, bool) {
	if rep == nil {
		return Violation{}, false
	}
	for _, list := range [][]string{rep.Written, rep.Deleted} {
		for _, path := range list {
			if !under(p.Write, path) {
				return Violation{Write: true, Path: path}, true
			}
		}
	}
	outside, folder := "", ""
	for _, path := range rep.Read {
		if under(p.Read, path) || under(p.Write, path) {
			continue
		}
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			// A folder is opened to look up paths in it too, which the
			// sandbox allows: named only when nothing else was denied.
			if folder == "" && !under(p.List, path) {
				folder = path
			}
			continue
		}
		if project != "" && inAny([]string{project}, path) {
			return Violation{Path: path}, true
		}
		if outside == "" {
			outside = path
		}
	}
	if outside == "" && folder != "" {
		return Violation{Path: folder, Folder: true}, true
	}
	return Violation{Path: outside}, outside != ""
}

// under reports whether path is one of roots or lies under one of them,
// as written or with its symbolic links resolved (the kernel checks the
// file a path leads to).
func under(roots []string, path string) bool {
	if inAny(roots, path) {
		return true
	}
	real, err := filepath.EvalSymlinks(path)
	return err == nil && real != path && inAny(roots, real)
}

func inAny(roots []string, path string) bool {
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, r) && (strings.HasSuffix(r, "/") || path[len(r)] == '/') {
			return true
		}
	}
	return false
}
