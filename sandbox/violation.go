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
}

// Violation returns the access of rep (a traced run of the command under
// p) that p denies and that most likely failed it: a write outside
// p.Write, else a read outside p.Read and p.Write, of a file inside
// project before one outside it, and of a file before a folder (a tracer
// sees lookups of folders that the sandbox does not govern), each in path
// order (a report keeps no time order). Probes are not accesses: the
// sandbox lets a command look up any path.
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
	best, rank := "", 4
	for _, path := range rep.Read {
		if under(p.Read, path) || under(p.Write, path) {
			continue
		}
		r := 0
		if project == "" || !inAny([]string{project}, path) {
			r++
		}
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			r += 2
		}
		if r < rank {
			best, rank = path, r
		}
	}
	return Violation{Path: best}, best != ""
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
