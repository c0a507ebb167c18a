package graph

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// expandRule makes the pending targets of rule name of Buildfile f: one
// instance per file its foreach matches (less those exclude removes), named
// by its first output, then the rule's alias over them all. The files are
// those that exist and the outputs declared so far (see pattern.go), less
// the rule's own outputs. A foreach that matches nothing is an error: a
// rule with no instance is most likely a wrong pattern.
func (l *loader) expandRule(f *bfile, name string) *Error {
	spec := f.dec.rules.specs[name]
	if spec == nil {
		spec = &targetSpec{}
	}
	spec, e := l.withDefaults(f, spec)
	if e != nil {
		return e
	}
	r := &Rule{Name: f.prefix + name}
	base := pending{l: l, f: f, spec: spec, local: name, name: r.Name, section: "rules", rule: r}
	base.sc = scope{target: &base}
	here := at{path: []string{"rules", name}, item: -1, offset: -1, name: true}
	var foreach []string
	if spec.x != nil {
		foreach = spec.x.Foreach.items
	}
	if len(foreach) == 0 {
		return base.fail(here, "foreach", `missing (expected a glob such as "src/*.c", or a list of them: the rule makes one target per matching file)`)
	}
	if len(spec.Outputs.items) == 0 {
		return base.fail(here, "outputs", `missing (expected outputs such as ["build/${stem}.o"]: each instance is named by its first output)`)
	}
	baseVars, overrides, e := base.prepareOverrides()
	if e != nil {
		return e
	}
	if baseVars != nil {
		base.layers = []varLayer{baseVars}
	}
	if e := base.prepareExcludes(); e != nil {
		return e
	}
	type match struct{ file, pattern string }
	var matches []match
	seen := make(map[string]struct{})
	for i, raw := range foreach {
		pat, files, e := base.ruleGlob("foreach", i, raw, "src/*.c")
		if e != nil {
			return e
		}
		r.Foreach = append(r.Foreach, pat)
		if gen := l.produced.matching(pat); len(gen) > 0 {
			files = append(slices.Clone(files), gen...)
			slices.Sort(files)
			files = slices.Compact(files)
		}
		for _, m := range files {
			if _, dup := seen[m]; dup || base.excluded(m) {
				continue
			}
			seen[m] = struct{}{}
			matches = append(matches, match{m, pat})
		}
	}
	var prefer []string
	if spec.x != nil {
		prefer = spec.x.Prefer.items
	}
	if len(prefer) > 0 {
		preferred := make(map[string]struct{})
		var extra []match
		for i, raw := range prefer {
			pat, files, e := base.ruleGlob("prefer", i, raw, "src/*/${ARCH}/*.s")
			if e != nil {
				return e
			}
			r.Foreach = append(r.Foreach, pat)
			for _, m := range files {
				if _, dup := seen[m]; dup || base.excluded(m) {
					continue
				}
				seen[m] = struct{}{}
				preferred[preferKey(pat, filepath.ToSlash(m))] = struct{}{}
				extra = append(extra, match{m, pat})
			}
		}
		kept := matches[:0]
		for _, m := range matches {
			if _, replaced := preferred[preferKey(m.pattern, filepath.ToSlash(m.file))]; !replaced {
				kept = append(kept, m)
			}
		}
		matches = append(kept, extra...)
	}
	instances := make([]pending, 0, len(matches))
	for _, m := range matches {
		p := base
		p.rootMatch = m.file
		p.match = m.file
		if f.dir != "." {
			p.match, _ = filepath.Rel(f.dir, m.file)
		}
		p.stem = stem(m.pattern, filepath.ToSlash(m.file))
		p.layers = layersFor(baseVars, overrides, m.file)
		p.sc = scope{target: &p}
		a := p.at("outputs", 0)
		s, e := p.expand(spec.Outputs.items[0], "outputs", a)
		if e != nil {
			return e
		}
		o, msg := outputPath(l.root, f.dir, s)
		if msg != "" {
			return p.fail(a, "outputs", msg)
		}
		p.name = o
		instances = append(instances, p)
	}
	instances = l.dropOwnOutputs(instances)
	if len(instances) == 0 {
		what := fmt.Sprintf("%q matches no file", r.Foreach[0])
		if len(r.Foreach) > 1 {
			what = fmt.Sprintf("%q match no file", strings.Join(r.Foreach, `", "`))
		}
		if len(base.excludes) > 0 {
			what += " that exclude keeps"
		}
		return base.fail(base.at("foreach", -1), "foreach", what+" (expected at least one existing file, or an output of another target: the rule makes one target per match)")
	}
	if len(overrides) > 0 {
		files := make([]string, len(instances))
		for i, p := range instances {
			files[i] = filepath.ToSlash(p.rootMatch)
		}
		if e := base.unusedOverride(overrides, files); e != nil {
			return e
		}
	}
	l.pending = append(l.pending, instances...)
	alias := base
	alias.spec = &targetSpec{}
	alias.excludes = nil
	l.pending = append(l.pending, alias)
	l.rules = append(l.rules, r)
	return nil
}

// ruleGlob expands item i of a rule's glob list key (raw as written) and
// returns the pattern, relative to the Buildfile's folder as globs are, with
// the existing files it matches; example is a pattern to suggest when it is
// empty.
func (p *pending) ruleGlob(key string, i int, raw, example string) (string, []string, *Error) {
	a := p.at(key, i)
	s, e := p.expand(raw, key, a)
	if e != nil {
		return "", nil, e
	}
	if s == "" {
		return "", nil, p.fail(a, key, fmt.Sprintf("empty pattern (expected a glob such as %q)", example))
	}
	pat, msg := globPattern(p.f.dir, s)
	if msg != "" {
		return "", nil, p.fail(a, key, msg)
	}
	files, err := p.l.globs.expand(pat)
	if err != nil {
		e := p.fail(a, key, err.Error())
		e.Err = err
		return "", nil, e
	}
	return pat, files, nil
}

// stem is ${stem} of file (slash-separated, as the pattern) matched by
// pattern: the file without the pattern's fixed leading folders and without
// its extension ("src/sub/a.c" under "src/**/*.c" is "sub/a"). The
// extension is the literal tail the pattern ends with when that starts with
// a dot (".tar.gz" under "*.tar.gz"), else the file's last one.
func stem(pattern, file string) string {
	rest := file
	segs := strings.Split(pattern, "/")
	prefix := ""
	for _, s := range segs[:len(segs)-1] {
		if isGlob(s) {
			break
		}
		prefix += s + "/"
	}
	rest = strings.TrimPrefix(rest, prefix)
	last := segs[len(segs)-1]
	if i := strings.LastIndexAny(last, "*?]}"); i >= 0 {
		if tail := last[i+1:]; strings.HasPrefix(tail, ".") && len(rest) > len(tail) && strings.HasSuffix(rest, tail) {
			return rest[:len(rest)-len(tail)]
		}
	}
	base := path.Base(rest)
	if ext := path.Ext(base); ext != base {
		rest = rest[:len(rest)-len(ext)]
	}
	return rest
}
