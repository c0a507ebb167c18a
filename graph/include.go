package graph

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// resolvesInside reports whether path, its symbolic links resolved, is
// inside the top Buildfile's folder (resolved too). A path that does not
// resolve (missing) is left to the read, which says so.
func (l *loader) resolvesInside(path string) bool {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return true
	}
	root, err := filepath.EvalSymlinks(l.root)
	if err != nil {
		root = l.root
	}
	rel, err := filepath.Rel(root, resolved)
	return err == nil && !escapes(rel) && rel != "."
}

// include reads the Buildfiles that f includes, and those they include,
// depth first. chain is the line of includes that led to f, f last, to
// report a loop. An included Buildfile must be inside the top one's folder:
// its target names are prefixed by its folder, relative to that one.
func (l *loader) include(f *bfile, chain []*bfile) *Error {
	for i, raw := range f.dec.file.Include.items {
		a := atItem([]string{"include"}, i)
		s, err := f.x.expand(raw, &scope{})
		if err != nil {
			a.offset, a.raw = err.offset, raw
			return f.src.errorAt(a, "", "include", err.message())
		}
		if s == "" {
			return f.src.errorAt(a, "", "include", `empty path (expected a Buildfile path such as "sub/Buildfile.toml")`)
		}
		abs := filepath.Clean(s)
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(l.root, f.dir, s)
		}
		rel, rerr := filepath.Rel(l.root, abs)
		if rerr != nil || escapes(rel) || rel == "." {
			return f.src.errorAt(a, "", "include", fmt.Sprintf("%q is outside the Buildfile's folder (expected a Buildfile inside it: its targets are named after its folder)", s))
		}
		if !l.resolvesInside(abs) {
			return f.src.errorAt(a, "", "include", fmt.Sprintf("%q leads outside the Buildfile's folder through a symbolic link (expected a Buildfile inside it)", s))
		}
		for j, c := range chain {
			if c.abs == abs {
				names := make([]string, 0, len(chain)-j+1)
				for _, c := range chain[j:] {
					names = append(names, c.src.file)
				}
				names = append(names, c.src.file)
				return f.src.errorAt(a, "", "include", "include loop: "+strings.Join(names, " -> ")+" (expected Buildfiles that do not include themselves)")
			}
		}
		for _, o := range l.files {
			if o.abs == abs {
				return f.src.errorAt(a, "", "include", fmt.Sprintf("%q is included twice (expected each Buildfile once: its targets would be declared twice)", s))
			}
		}
		data, rdErr := l.rec.readFile(abs)
		if rdErr != nil {
			msg := rdErr.Error()
			var pe *fs.PathError
			if errors.As(rdErr, &pe) {
				msg = pe.Err.Error()
			}
			e := f.src.errorAt(a, "", "include", fmt.Sprintf("cannot read %q: %s (expected a Buildfile)", s, msg))
			e.Err = rdErr
			return e
		}
		src := &source{file: displayName(abs), abs: abs, data: data}
		child, e := l.readFile(src, filepath.Dir(rel), f)
		if e != nil {
			return e
		}
		if e := l.include(child, append(chain, child)); e != nil {
			return e
		}
	}
	return nil
}
