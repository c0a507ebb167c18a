package graph

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

// isGlob reports whether an input is a pattern rather than a file path.
func isGlob(s string) bool { return strings.ContainsAny(s, "*?[{") }

// globPattern checks a pattern written in a Buildfile of folder dir
// (relative to the root) and returns it in the form Glob takes (cleaned,
// slash-separated, relative to the root), or a message saying what is
// wrong.
func globPattern(dir, s string) (string, string) {
	if filepath.IsAbs(s) {
		return "", fmt.Sprintf(`glob %q must be relative to the Buildfile's folder (expected a pattern such as "src/**/*.c"; list files outside the folder one by one)`, s)
	}
	var p string
	if dir == "." {
		p = path.Clean(filepath.ToSlash(s))
	} else {
		p = path.Join(filepath.ToSlash(dir), filepath.ToSlash(s))
	}
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Sprintf(`glob %q must stay inside the Buildfile's folder (expected a pattern without "..", such as "src/**/*.c"; list files outside the folder one by one)`, s)
	}
	if !doublestar.ValidatePattern(p) {
		return "", fmt.Sprintf(`invalid glob pattern %q (expected doublestar syntax: *, ?, [abc], {a,b} and ** for any depth, with every [ and { closed)`, s)
	}
	return p, ""
}

// Glob returns the files under root that pattern (an input pattern of a
// Target's Globs) matches, as Load expands it: doublestar syntax, files only,
// relative to root and sorted; hidden files and folders match only when the
// pattern names them; nothing under .gobuildj/. It lets the engine
// re-expand a target's globs at each build exactly as Load did.
func Glob(root, pattern string) ([]string, error) {
	return globFS(os.DirFS(root), pattern)
}

func globFS(fsys fs.FS, pattern string) ([]string, error) {
	matches, err := doublestar.Glob(fsys, pattern, doublestar.WithFilesOnly(), doublestar.WithNoHidden())
	if err != nil {
		return nil, fmt.Errorf("glob %q: %w", pattern, err)
	}
	kept := matches[:0]
	for _, m := range matches {
		if statedir.Holds(m) { // gobuildj's own state is never an input
			continue
		}
		kept = append(kept, filepath.FromSlash(m))
	}
	slices.Sort(kept)
	return kept, nil
}

// globber expands input patterns for one Load, each distinct pattern once
// (many targets often share one, like "include/**/*.h").
type globber struct {
	fsys  fs.FS
	cache map[string][]string
}

// expand returns the matches of a pattern checked by globPattern. The slice
// is shared: callers must not modify it.
func (g *globber) expand(pattern string) ([]string, error) {
	if m, ok := g.cache[pattern]; ok {
		return m, nil
	}
	m, err := globFS(g.fsys, pattern)
	if err != nil {
		return nil, err
	}
	g.cache[pattern] = m
	return m, nil
}
