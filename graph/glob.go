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
	if len(p) > MaxGlobLength {
		return "", fmt.Sprintf(`glob %q... is %d bytes long (expected a pattern of at most %d bytes, such as "src/**/*.c")`, s[:32], len(p), MaxGlobLength)
	}
	if braceAlternatives(p) > MaxBraceAlternatives {
		return "", fmt.Sprintf(`glob %q: its braces expand to more than %d patterns (expected at most %d alternatives in all, such as "src/**/*.{c,h}": each one is globbed on its own)`, s, MaxBraceAlternatives, MaxBraceAlternatives)
	}
	return p, ""
}

// MaxBraceAlternatives bounds the number of patterns the braces of one glob
// expand to ("{a,b}{c,d}" is 4), and MaxGlobLength the length of a glob (as
// a path, PATH_MAX): the glob library matches each alternative on its own,
// building each one, so a pattern of thirty "{a,b}" would otherwise be
// globbed a billion times.
const (
	MaxBraceAlternatives = 4096
	MaxGlobLength        = 4096
)

// braceAlternatives returns the number of patterns that the braces of the
// valid pattern p expand to (alternatives multiply in sequence and add up
// inside a group), counted up to MaxBraceAlternatives+1 only. It reads p as
// doublestar does: a backslash escapes the next byte, and braces inside
// [...] are literal.
func braceAlternatives(p string) int {
	type frame struct{ sum, prod int }
	const limit = MaxBraceAlternatives + 1
	stack := []frame{{0, 1}}
	for i := 0; i < len(p); i++ {
		top := &stack[len(stack)-1]
		switch p[i] {
		case '\\':
			i++
		case '[':
			i++
			if i < len(p) && (p[i] == '^' || p[i] == '!') {
				i++
			}
			for ; i < len(p) && p[i] != ']'; i++ { // a valid class is not empty
				if p[i] == '\\' {
					i++
				}
			}
		case '{':
			stack = append(stack, frame{0, 1})
		case ',':
			if len(stack) > 1 {
				top.sum = min(top.sum+top.prod, limit)
				top.prod = 1
			}
		case '}':
			if len(stack) > 1 {
				alts := min(top.sum+top.prod, limit)
				stack = stack[:len(stack)-1]
				parent := &stack[len(stack)-1]
				parent.prod = min(parent.prod*alts, limit) // both are at most limit: no overflow
			}
		}
	}
	return stack[0].prod
}

// Glob returns the files under root that pattern (an input pattern of a
// Target's Globs) matches, as Load expands it: doublestar syntax, files only,
// relative to root and sorted; hidden files and folders match only when the
// pattern names them; nothing under .gobuildj/. It lets the engine
// re-expand a target's globs at each build exactly as Load did.
func Glob(root, pattern string) ([]string, error) {
	return globFS(newTreeFS(os.DirFS(root), root), pattern)
}

// treeFS is the project's folder as globs see it: a symbolic link that
// resolves outside the folder, or to a folder that holds the link (a loop),
// is left out of the listings, so that ** never walks out of the project
// (a link to / would walk the machine) nor round a loop. A link to a file
// or folder inside the project is followed as before. FIFOs, sockets and
// devices, and links to them, are left out too (see special).
//
// Within one glob, a folder reached through a link is listed only if no
// other path through a link listed the same folder before: links that fan
// out to shared folders (ten links per level, five levels deep) would
// otherwise make a glob walk 10^5 paths for five folders. A folder reached
// without a link is always listed, so each folder is listed at most twice
// and its files keep their own path.
type treeFS struct {
	fsys fs.FS
	root string // the project's folder, its own links resolved
	// walk is the state of one glob (nil outside one: see forGlob).
	walk *treeWalk
}

// treeWalk is what one glob has seen of the tree's links.
type treeWalk struct {
	links  map[string]bool   // folder entries that are links (slash paths)
	listed map[string]string // resolved folder -> the linked path that listed it
}

// forGlob returns t with a new walk state, for one glob.
func (t treeFS) forGlob() treeFS {
	t.walk = &treeWalk{links: make(map[string]bool), listed: make(map[string]string)}
	return t
}

// throughLink reports whether the slash path name goes through a link
// that an earlier listing of this walk kept.
func (w *treeWalk) throughLink(name string) bool {
	for p := name; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		if w.links[p] {
			return true
		}
	}
	return false
}

func newTreeFS(fsys fs.FS, root string) treeFS {
	if resolved, err := filepath.EvalSymlinks(root); err == nil {
		root = resolved
	}
	return treeFS{fsys: fsys, root: root}
}

// Open implements fs.FS.
func (t treeFS) Open(name string) (fs.File, error) { return t.fsys.Open(name) }

// Stat implements fs.StatFS.
func (t treeFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(t.fsys, name) }

// ReadDir implements fs.ReadDirFS, leaving out the links that lead out, and
// within a glob the folders already listed through another link.
func (t treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if t.walk != nil && t.walk.throughLink(name) {
		resolved, err := filepath.EvalSymlinks(filepath.Join(t.root, filepath.FromSlash(name)))
		if err != nil {
			return nil, err
		}
		if first, ok := t.walk.listed[resolved]; ok && first != name {
			return nil, nil
		}
		t.walk.listed[resolved] = name
	}
	ents, err := fs.ReadDir(t.fsys, name)
	if err != nil {
		return nil, err
	}
	kept := ents[:0]
	for _, e := range ents {
		if e.Type()&special != 0 {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			if !t.linkStaysInside(name, e.Name()) || t.linkIsSpecial(name, e.Name()) {
				continue
			}
			if t.walk != nil {
				t.walk.links[path.Join(name, e.Name())] = true
			}
		}
		kept = append(kept, e)
	}
	return kept, nil
}

// special are the types of file a glob leaves out: FIFOs, sockets and
// devices are not content that can be hashed (reading a FIFO waits for a
// writer, reading /dev/zero never ends), so "src/*" means the regular
// files (and folders) there. An input named one by one that is such a file
// is an error instead (the engine refuses it by name).
const special = fs.ModeNamedPipe | fs.ModeSocket | fs.ModeDevice | fs.ModeCharDevice | fs.ModeIrregular

// linkIsSpecial reports whether the link entry of folder dir leads to a
// FIFO, a socket or a device.
func (t treeFS) linkIsSpecial(dir, entry string) bool {
	fi, err := os.Stat(filepath.Join(t.root, filepath.FromSlash(dir), entry))
	return err == nil && fi.Mode()&special != 0
}

// linkStaysInside reports whether the link entry of folder dir resolves
// inside the project and not to a folder that holds dir. A dangling link
// stays: it is reported where it is used.
func (t treeFS) linkStaysInside(dir, entry string) bool {
	folder := filepath.FromSlash(dir)
	resolved, err := filepath.EvalSymlinks(filepath.Join(t.root, folder, entry))
	if err != nil {
		return true
	}
	rel, err := filepath.Rel(t.root, resolved)
	if err != nil || escapes(rel) {
		return false
	}
	if rel == "." || folder == rel || strings.HasPrefix(folder, rel+string(filepath.Separator)) {
		return false // a folder that holds the link: a loop
	}
	return true
}

func globFS(fsys fs.FS, pattern string) ([]string, error) {
	if t, ok := fsys.(treeFS); ok {
		fsys = t.forGlob()
	}
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
