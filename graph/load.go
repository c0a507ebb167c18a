package graph

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"
)

// Load reads, parses, expands and validates the Buildfile at path (globs are
// expanded against the file system now). Any problem is returned as *Error
// (errors.As-able), never a half-built graph.
func Load(path string) (*Graph, error) {
	display := displayName(path)
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{File: display, Msg: "cannot find the Buildfile's folder: " + err.Error(), Err: err}
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		var pe *fs.PathError
		msg := err.Error()
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, &Error{File: display, Msg: "cannot read the Buildfile: " + msg, Err: err}
	}
	l := &loader{
		src:   &source{file: display, data: data},
		root:  filepath.Dir(abs),
		globs: newGlobber(filepath.Dir(abs)),
	}
	g, e := l.load()
	if e != nil {
		return nil, e
	}
	g.File = abs
	return g, nil
}

// displayName is how messages name the Buildfile: as given, or relative to
// the current folder when that is shorter.
func displayName(path string) string {
	if !filepath.IsAbs(path) {
		return path
	}
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && len(rel) < len(path) {
		return rel
	}
	return path
}

// loader builds a Graph from a Buildfile's text in passes: decode, check
// [vars], prepare each target (expand its strings, its paths and globs),
// link deps, check `default`, sort.
type loader struct {
	src      *source
	root     string
	globs    *globber
	x        *expander
	names    []string  // target names in file order
	pending  []pending // targets under construction, in file order
	byName   map[string]*Target
	byOutput map[string]*Target
	mark     []int // mark[i] == stamp: target i (file order) is already a dep of the one being linked
}

// pending is a target under construction.
type pending struct {
	t        *Target
	spec     *targetSpec
	index    int      // in file order
	deps     []string // the deps entries, expanded
	in, out  joined   // ${in} and ${out}, computed on first use
	usesDeps bool     // a string holds depsMarker
	root     string
}

// joined is a space-joined path list, computed once.
type joined struct {
	s    string
	done bool
}

// joined returns paths relative to the target's dir, space-joined.
func (p *pending) joined(j *joined, paths []string) string {
	if !j.done {
		j.s, j.done = p.join(paths), true
	}
	return j.s
}

// join space-joins paths (relative to the Buildfile's folder) made relative
// to the target's dir, as its commands see them.
func (p *pending) join(paths []string) string {
	if p.t.Dir == "." {
		return strings.Join(paths, " ")
	}
	var b strings.Builder
	for i, q := range paths {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(relTo(p.root, p.t.Dir, q))
	}
	return b.String()
}

// relTo expresses path q (relative to root, or absolute) relative to dir
// (relative to root).
func relTo(root, dir, q string) string {
	if filepath.IsAbs(q) {
		return q
	}
	if r, err := filepath.Rel(dir, q); err == nil {
		return r
	}
	// dir climbs out of root ("../x"): only an absolute path works.
	return filepath.Join(root, q)
}

func (l *loader) load() (*Graph, *Error) {
	dec, e := decode(l.src)
	if e != nil {
		return nil, e
	}
	l.x = newExpander(dec.vars.vars, dec.varList)
	if e := l.x.analyze(l.src); e != nil {
		return nil, e
	}
	n := len(dec.order)
	l.names = dec.order
	targets := make([]Target, n)
	l.pending = make([]pending, n)
	l.byName = make(map[string]*Target, n)
	outputs := 0
	for i, name := range dec.order {
		t := &targets[i]
		t.Name, t.ID = name, i // ID is the file index until sorted
		l.byName[name] = t
		spec := dec.targets.specs[name]
		if spec == nil {
			spec = &targetSpec{}
		}
		l.pending[i] = pending{t: t, spec: spec, index: i, root: l.root}
		outputs += len(spec.Outputs.items)
	}
	l.byOutput = make(map[string]*Target, outputs)
	for i := range l.pending {
		if e := l.prepare(&l.pending[i]); e != nil {
			return nil, e
		}
	}
	l.mark = make([]int, n)
	for i := range l.pending {
		if e := l.link(&l.pending[i]); e != nil {
			return nil, e
		}
	}
	def, e := l.defaults(&dec.file.Default)
	if e != nil {
		return nil, e
	}
	files := make([]*Target, n)
	for i := range targets {
		files[i] = &targets[i]
	}
	order, cycle := topoSort(files)
	if cycle != nil {
		return nil, &Error{File: l.src.file, Msg: cycleMessage(cycle)}
	}
	finish(order)
	l.substituteDeps()
	return &Graph{
		Root:     l.root,
		Default:  def,
		Targets:  order,
		byName:   l.byName,
		byOutput: l.byOutput,
		display:  l.src.file,
	}, nil
}

// prepare expands and checks one target's keys, registers its outputs and
// expands its input globs.
func (l *loader) prepare(p *pending) *Error {
	t, spec := p.t, p.spec
	name := t.Name
	path := func(key string) []string { return []string{"targets", name, key} }
	if name == "" {
		return l.src.errorAt(at{path: []string{"targets", name}, item: -1, offset: -1, name: true}, "", "targets",
			`empty target name (expected a name such as [targets.app])`)
	}
	if strings.IndexFunc(name, unicode.IsSpace) >= 0 {
		return l.src.errorAt(at{path: []string{"targets", name}, item: -1, offset: -1, name: true}, name, "",
			`the name contains whitespace (expected a name without spaces, such as "my-app")`)
	}
	sc := &scope{target: p}
	expand := func(s, key string, a at) (string, *Error) {
		v, err := l.x.expand(s, sc)
		if err != nil {
			a.offset, a.raw = err.offset, s
			return "", l.src.errorAt(a, name, key, err.message())
		}
		return v, nil
	}

	t.Dir = "."
	if spec.Dir.set {
		d, e := expand(spec.Dir.s, "dir", atKey(path("dir")...))
		if e != nil {
			return e
		}
		t.Dir = l.dirPath(d)
	}

	if items := spec.Outputs.items; len(items) > 0 {
		t.Outputs = make([]string, 0, len(items))
		for i, raw := range items {
			a := atItem(path("outputs"), i)
			s, e := expand(raw, "outputs", a)
			if e != nil {
				return e
			}
			o, msg := outputPath(s)
			if msg != "" {
				return l.src.errorAt(a, name, "outputs", msg)
			}
			if other, ok := l.byOutput[o]; ok {
				if other == t {
					continue // listed twice
				}
				return l.src.errorAt(a, name, "outputs", fmt.Sprintf("%q is also an output of target %q (expected each output to be built by one target)", o, other.Name))
			}
			if other, ok := l.byName[o]; ok && other != t {
				return l.src.errorAt(a, name, "outputs", fmt.Sprintf("%q is also the name of target %q (expected an output path that is no other target's name, so that %q names one thing)", o, other.Name, o))
			}
			l.byOutput[o] = t
			t.Outputs = append(t.Outputs, o)
		}
	}

	if items := spec.Inputs.items; len(items) > 0 {
		inputs := make([]string, 0, len(items))
		for i, raw := range items {
			a := atItem(path("inputs"), i)
			s, e := expand(raw, "inputs", a)
			if e != nil {
				return e
			}
			if s == "" {
				return l.src.errorAt(a, name, "inputs", `empty path (expected a file path or a glob such as "src/*.c")`)
			}
			if !isGlob(s) {
				in := l.inputPath(s)
				if l.byOutput[in] == t {
					return l.src.errorAt(a, name, "inputs", fmt.Sprintf("%q is also an output of this target (expected a file the command reads, not one it writes)", in))
				}
				inputs = append(inputs, in)
				continue
			}
			pat, msg := globPattern(s)
			if msg != "" {
				return l.src.errorAt(a, name, "inputs", msg)
			}
			matches, err := l.globs.expand(pat)
			if err != nil {
				e := l.src.errorAt(a, name, "inputs", err.Error())
				e.Err = err
				return e
			}
			t.Globs = append(t.Globs, pat)
			for _, m := range matches {
				if l.byOutput[m] != t { // a target's own outputs are not its inputs
					inputs = append(inputs, m)
				}
			}
		}
		slices.Sort(inputs)
		t.Inputs = slices.Compact(inputs)
	}

	if items := spec.Deps.items; len(items) > 0 {
		p.deps = make([]string, len(items))
		for i, raw := range items {
			a := atItem(path("deps"), i)
			s, e := expand(raw, "deps", a)
			if e != nil {
				return e
			}
			if s == "" {
				return l.src.errorAt(a, name, "deps", "empty name (expected a target name or an output path declared by a target)")
			}
			p.deps[i] = s
		}
	}

	var e *Error
	if t.Timeout, e = l.duration(p, &spec.Timeout, "timeout", "0 or more; 0 means no timeout", expand); e != nil {
		return e
	}
	if t.KillTimeout, e = l.duration(p, &spec.KillTimeout, "kill_timeout", "0 or more; 0 means the default", expand); e != nil {
		return e
	}
	t.Always = spec.Always.b

	// Strings that may use ${in}, ${out} and ${deps}.
	sc.files = true
	noNUL := func(s, key string, a at) *Error {
		if strings.IndexByte(s, 0) >= 0 {
			return l.src.errorAt(a, name, key, "contains a NUL character (expected text)")
		}
		return nil
	}
	t.Description = name // also when description expands to ""
	if spec.Description.set {
		a := atKey(path("description")...)
		if e := noNUL(spec.Description.s, "description", a); e != nil {
			return e
		}
		d, e := expand(spec.Description.s, "description", a)
		if e != nil {
			return e
		}
		if d != "" {
			t.Description = d
		}
	}
	if items := spec.Cmd.items; len(items) > 0 {
		t.Cmds = make([]string, len(items))
		for i, raw := range items {
			a := atItem(path("cmd"), i)
			if strings.TrimSpace(raw) == "" {
				msg := `empty command (expected a shell command such as "cc -o app main.c"; leave cmd out for a target that only groups its deps)`
				if len(items) > 1 {
					msg = fmt.Sprintf("item %d is an empty command (expected a shell command)", i+1)
				}
				return l.src.errorAt(a, name, "cmd", msg)
			}
			if e := noNUL(raw, "cmd", a); e != nil {
				return e
			}
			if t.Cmds[i], e = expand(raw, "cmd", a); e != nil {
				return e
			}
		}
	}
	if len(spec.Env) > 0 {
		keys := make([]string, 0, len(spec.Env))
		for k := range spec.Env {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		t.Env = make([]string, len(keys))
		for i, k := range keys {
			key := "env." + toml.Key{k}.String()
			a := atKey("targets", name, "env", k)
			if k == "" || strings.ContainsAny(k, "=\x00") {
				a.name = true
				return l.src.errorAt(a, name, key, fmt.Sprintf(`invalid environment variable name %q (expected a name without "=", such as LC_ALL)`, k))
			}
			raw := spec.Env[k].s
			if e := noNUL(raw, key, a); e != nil {
				return e
			}
			v, e := expand(raw, key, a)
			if e != nil {
				return e
			}
			t.Env[i] = k + "=" + v
		}
	}
	return nil
}

// duration expands and parses timeout or kill_timeout.
func (l *loader) duration(p *pending, d *duration, key, expected string, expand func(s, key string, a at) (string, *Error)) (time.Duration, *Error) {
	if !d.set {
		return 0, nil
	}
	a := atKey("targets", p.t.Name, key)
	s, e := expand(d.s, key, a)
	if e != nil {
		return 0, e
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, l.src.errorAt(a, p.t.Name, key, fmt.Sprintf(`invalid duration %q (expected a Go duration such as "90s" or "5m")`, s))
	}
	if v < 0 {
		return 0, l.src.errorAt(a, p.t.Name, key, fmt.Sprintf("negative duration %q (expected %s)", s, expected))
	}
	return v, nil
}

// dirPath normalizes a target's dir: relative to the Buildfile's folder,
// "." for the folder itself.
func (l *loader) dirPath(d string) string {
	if d == "" {
		return "."
	}
	d = filepath.Clean(d)
	if filepath.IsAbs(d) {
		if r, err := filepath.Rel(l.root, d); err == nil {
			return r
		}
	}
	return d
}

// outputPath cleans an output path, or says why it is not acceptable.
func outputPath(s string) (string, string) {
	if s == "" {
		return "", `empty path (expected a file path such as "build/app")`
	}
	if filepath.IsAbs(s) {
		return "", fmt.Sprintf(`%q: outputs must stay inside the Buildfile's folder (expected a relative path such as "build/app")`, s)
	}
	p := filepath.Clean(s)
	switch {
	case escapes(p):
		return "", fmt.Sprintf(`%q: outputs must stay inside the Buildfile's folder (expected a relative path without "..", such as "build/app")`, s)
	case p == ".":
		return "", fmt.Sprintf(`%q is the Buildfile's folder itself (expected a file path such as "build/app")`, s)
	case p == stateDir || strings.HasPrefix(p, stateDir+string(filepath.Separator)):
		return "", fmt.Sprintf("%q is inside %s/, where gobuildj keeps its state (expected a path outside it)", s, stateDir)
	}
	return p, ""
}

// escapes reports whether a cleaned relative path leaves its folder.
func escapes(p string) bool {
	return p == ".." || strings.HasPrefix(p, ".."+string(filepath.Separator))
}

// inputPath cleans a literal input: relative to the Buildfile's folder when
// inside it, else absolute (or relative with "..", as written).
func (l *loader) inputPath(s string) string {
	p := filepath.Clean(s)
	if filepath.IsAbs(p) {
		if r, err := filepath.Rel(l.root, p); err == nil && !escapes(r) {
			return r
		}
	}
	return p
}

// link resolves a target's deps: explicit ones by name or output path, then
// implicit ones (inputs that other targets declare as outputs).
func (l *loader) link(p *pending) *Error {
	t := p.t
	stamp := p.index + 1
	if len(p.deps) == 0 && len(t.Inputs) == 0 {
		return nil
	}
	deps := make([]*Target, 0, len(p.deps))
	for i, name := range p.deps {
		d, ok := lookup(l.byName, l.byOutput, l.root, name)
		if !ok {
			return l.src.errorAt(atItem([]string{"targets", t.Name, "deps"}, i), t.Name, "deps", l.unknownTarget(name))
		}
		if d == t {
			return l.src.errorAt(atItem([]string{"targets", t.Name, "deps"}, i), t.Name, "deps",
				fmt.Sprintf("%q is the target itself (expected another target: a target cannot depend on itself)", name))
		}
		if l.mark[d.ID] != stamp {
			l.mark[d.ID] = stamp
			deps = append(deps, d)
		}
	}
	for _, in := range t.Inputs {
		if d, ok := l.byOutput[in]; ok && d != t && l.mark[d.ID] != stamp {
			l.mark[d.ID] = stamp
			deps = append(deps, d)
		}
	}
	if len(deps) > 0 {
		t.Deps = deps
	}
	return nil
}

// unknownTarget is the message for a name that is neither a target nor a
// declared output.
func (l *loader) unknownTarget(name string) string {
	cands := make([]string, 0, len(l.names)+len(l.byOutput))
	cands = append(cands, l.names...)
	for i := range l.pending {
		cands = append(cands, l.pending[i].t.Outputs...)
	}
	hint := didYouMean(name, cands)
	if hint == "" {
		if st, err := os.Stat(filepath.Join(l.root, name)); err == nil && !st.IsDir() {
			hint = "; " + strconv.Quote(name) + " is a file that no target builds: list it in inputs instead"
		}
	}
	return fmt.Sprintf("unknown target %q (expected a target name or an output path declared by a target%s)", name, hint)
}

// defaults checks `default`: each entry must name a target (or an output).
func (l *loader) defaults(d *nameList) ([]string, *Error) {
	if len(d.items) == 0 {
		return nil, nil
	}
	sc := &scope{}
	names := make([]string, len(d.items))
	for i, raw := range d.items {
		a := atItem([]string{"default"}, i)
		s, err := l.x.expand(raw, sc)
		if err != nil {
			a.offset, a.raw = err.offset, raw
			return nil, l.src.errorAt(a, "", "default", err.message())
		}
		if _, ok := lookup(l.byName, l.byOutput, l.root, s); !ok {
			return nil, l.src.errorAt(a, "", "default", l.unknownTarget(s))
		}
		names[i] = s
	}
	return names, nil
}

// substituteDeps replaces depsMarker by the outputs of the target's deps
// (aliases contribute their own deps' outputs), relative to its dir.
func (l *loader) substituteDeps() {
	var memo map[*Target][]string
	for i := range l.pending {
		p := &l.pending[i]
		if !p.usesDeps {
			continue
		}
		if memo == nil {
			memo = make(map[*Target][]string)
		}
		var paths []string
		seen := make(map[string]struct{})
		for _, d := range p.t.Deps {
			for _, o := range contribution(d, memo) {
				if _, ok := seen[o]; !ok {
					seen[o] = struct{}{}
					paths = append(paths, o)
				}
			}
		}
		s := p.join(paths)
		t := p.t
		t.Description = strings.ReplaceAll(t.Description, depsMarker, s)
		for j := range t.Cmds {
			t.Cmds[j] = strings.ReplaceAll(t.Cmds[j], depsMarker, s)
		}
		for j := range t.Env {
			t.Env[j] = strings.ReplaceAll(t.Env[j], depsMarker, s)
		}
	}
}

// contribution is what dep d adds to ${deps}: its outputs, and for an alias
// (no cmd) also what its own deps contribute.
func contribution(d *Target, memo map[*Target][]string) []string {
	if len(d.Cmds) > 0 || len(d.Deps) == 0 {
		return d.Outputs
	}
	if c, ok := memo[d]; ok {
		return c
	}
	c := slices.Clone(d.Outputs)
	seen := make(map[string]struct{}, len(c))
	for _, o := range c {
		seen[o] = struct{}{}
	}
	for _, dd := range d.Deps {
		for _, o := range contribution(dd, memo) {
			if _, ok := seen[o]; !ok {
				seen[o] = struct{}{}
				c = append(c, o)
			}
		}
	}
	memo[d] = c
	return c
}
