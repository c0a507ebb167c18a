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
)

// Load reads, parses, expands and validates the Buildfile at path (globs are
// expanded against the file system now). Any problem is returned as *Error
// (errors.As-able), never a half-built graph.
func Load(path string) (*Graph, error) {
	return LoadWith(path, nil)
}

// LoadWith is Load with variables set on the command line (cmdline.go).
func LoadWith(path string, overrides []Override) (*Graph, error) {
	g, _, err := load(path, newCmdRuns(), overrides)
	return g, err
}

// Reload loads g's Buildfile again, with the variables set on the command
// line that g was loaded with.
func (g *Graph) Reload() (*Graph, error) {
	return LoadWith(g.File, g.overrides)
}

// load is Load, also returning what its globs read; runs holds the
// commands of [vars] already run.
func load(path string, runs *cmdRuns, overrides []Override) (*Graph, *recordingFS, error) {
	display := displayName(path)
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, &Error{File: display, Msg: "cannot find the Buildfile's folder: " + err.Error(), Err: err}
	}
	rec := newRecordingFS(filepath.Dir(abs))
	data, err := rec.readFile(abs)
	if err != nil {
		var pe *fs.PathError
		msg := err.Error()
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, nil, &Error{File: display, Msg: "cannot read the Buildfile: " + msg, Err: err}
	}
	l := &loader{
		src:   &source{file: display, data: data},
		root:  filepath.Dir(abs),
		globs: &globber{fsys: newTreeFS(rec, filepath.Dir(abs)), cache: make(map[string][]string)},
		rec:   rec,
		env:   newEnvReads(),
		cmds:  runs,
	}
	l.overrides = overrides
	l.src.abs = abs
	g, e := l.load()
	if e != nil {
		return nil, nil, e
	}
	g.File = abs
	g.env = l.env
	g.cmds = l.cmds
	g.overrides = overrides
	return g, rec, nil
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

// loader builds a Graph from a Buildfile's text in passes: read the
// Buildfile and those it includes (decode, check [vars] and [pools]), name
// every target (expanding the foreach of rules), prepare each target in file
// order (pending.prepare: expand its strings, paths and globs), link deps,
// check `default`, sort, and replace ${deps}.
type loader struct {
	src      *source // the top Buildfile's
	root     string
	globs    *globber
	rec      *recordingFS // what Load reads, for the snapshot's key
	env      *envReads    // the environment ${env:NAME} reads, for the snapshot's key
	cmds     *cmdRuns     // the commands of [vars] run, for the snapshot's key
	files    []*bfile     // the top Buildfile, then the included ones
	pools    map[string]int
	poolFile map[string]*bfile // where each pool is defined
	rules    []*Rule
	names    []string  // target names in file order
	pending  []pending // targets under construction, in file order
	byName   map[string]*Target
	byOutput map[string]*Target
	mark     []int    // mark[i] == stamp: target i (file order) is already a dep of the one being linked
	pos      []int    // where target i is in the deps of the one being linked, if mark[i] == stamp
	produced produced // outputs declared so far, that a rule's foreach also matches

	// warnings are the load's warnings, in the order found, each once
	// (warning.go); emptyGlobs the input globs that matched no file.
	warnings   []string
	warned     map[string]struct{}
	emptyGlobs []emptyGlob
	// overrides are the variables set on the command line (cmdline.go).
	overrides []Override
	// defaulted says, for each spec that took [defaults], where each key
	// it took came from (defaults.go); nil when none did.
	defaulted map[*targetSpec]*defaulted
	// defaultedSize is what taking [defaults] cost the targets so far
	// (MaxDefaultedSize bounds it).
	defaultedSize int
}

// bfile is one Buildfile of a load: the top one or an included one.
type bfile struct {
	src    *source
	abs    string // absolute path
	dir    string // its folder, relative to the root ("." for the top one)
	prefix string // what its target and rule names are prefixed with: "" or "sub/"
	dec    *decoded
	x      *expander
	// defaults are the [defaults] in force: its own over its includer's
	// (defaults.go); nil when none.
	defaults *defaultsLayer
}

func (l *loader) load() (*Graph, *Error) {
	top, e := l.readFile(l.src, ".", nil)
	if e != nil {
		return nil, e
	}
	remote, e := top.dec.remote.settle(l.src)
	if e != nil {
		return nil, e
	}
	if e := l.include(top, []*bfile{top}); e != nil {
		return nil, e
	}
	if e := l.checkOverrides(); e != nil {
		return nil, e
	}
	if e := l.collectPools(); e != nil {
		return nil, e
	}
	if e := l.name(); e != nil {
		return nil, e
	}
	n := len(l.pending)
	targets := make([]Target, n)
	l.byName = make(map[string]*Target, n)
	l.names = make([]string, n)
	outputs := 0
	for i := range l.pending {
		p := &l.pending[i]
		t := &targets[i]
		t.Name, t.ID, t.File = p.name, i, p.f.abs // ID is the file index until sorted
		p.t = t
		l.names[i] = p.name
		if other, dup := l.byName[p.name]; dup {
			return nil, l.duplicateName(p, other)
		}
		l.byName[p.name] = t
		outputs += len(p.spec.Outputs.items)
		if r := p.rule; r != nil {
			if p.match != "" {
				t.Rule, t.Match = r.Name, p.rootMatch
				r.Instances = append(r.Instances, t)
			} else {
				r.Target = t
				p.fixedDeps = r.Instances
			}
		}
	}
	l.byOutput = make(map[string]*Target, outputs)
	for i := range l.pending {
		if e := l.pending[i].prepare(); e != nil {
			return nil, e
		}
	}
	l.warnEmptyGlobs()
	l.mark = make([]int, n)
	l.pos = make([]int, n)
	for i := range l.pending {
		if e := l.link(&l.pending[i]); e != nil {
			return nil, e
		}
	}
	def, e := l.defaults(&top.dec.file.Default)
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
	if e := l.substituteDeps(); e != nil {
		return nil, e
	}
	paths := make([]string, len(l.files))
	for i, f := range l.files {
		paths[i] = f.abs
	}
	return &Graph{
		Root:    l.root,
		Default: def,
		// remove_stale counts in the Buildfile named on the command
		// line, as `default` does.
		KeepStale: top.dec.file.RemoveStale.set && !top.dec.file.RemoveStale.b,
		Targets:   order,
		Files:     paths,
		Pools:     l.pools,
		Rules:     l.rules,
		Remote:    remote,
		Check:     top.dec.file.Check.settle(),
		Warnings:  l.warnings,
		byName:    l.byName,
		byOutput:  l.byOutput,
		display:   l.src.file,
	}, nil
}

// readFile decodes the Buildfile src, whose folder is dir (relative to the
// root), and checks its [vars] with those of parent as defaults.
func (l *loader) readFile(src *source, dir string, parent *bfile) (*bfile, *Error) {
	dec, e := decode(src)
	if e != nil {
		return nil, e
	}
	f := &bfile{src: src, abs: src.abs, dir: dir, dec: dec}
	if dir != "." {
		f.prefix = filepath.ToSlash(dir) + "/"
	}
	var px *expander
	var pd *defaultsLayer
	if parent != nil {
		px, pd = parent.x, parent.defaults
		for _, k := range src.keys {
			if k[0] == "remote" || k[0] == "check" {
				return nil, src.errorAt(at{path: k[:1], item: -1, offset: -1, name: true}, "", k[0],
					fmt.Sprintf("[%s] is read from the top Buildfile only (expected it in %s)", k[0], l.src.file))
			}
		}
	}
	f.defaults = layerDefaults(pd, f)
	f.x = newExpander(src, dec.vars.vars, dec.varList, px)
	f.x.env = l.env
	f.x.cmds = l.cmds
	for name := range dec.vars.cmds {
		f.x.vars[name].cmd = true
	}
	l.applyOverrides(f)
	if e := f.x.analyze(); e != nil {
		return nil, e
	}
	l.files = append(l.files, f)
	return f, nil
}

// name creates the pending target of every target, rule instance and rule
// alias, in file order, and names it: a target by its name (prefixed by its
// Buildfile's folder), a rule instance by its first output.
func (l *loader) name() *Error {
	count := 0
	for _, f := range l.files {
		count += len(f.dec.items)
	}
	l.pending = make([]pending, 0, count)
	if l.hasRules() {
		l.declaredOutputs()
	}
	for _, f := range l.files {
		for _, it := range f.dec.items {
			if it.rule {
				if e := l.expandRule(f, it.name); e != nil {
					return e
				}
				continue
			}
			spec := f.dec.targets.specs[it.name]
			if spec == nil {
				spec = &targetSpec{}
			}
			spec, e := l.withDefaults(f, spec)
			if e != nil {
				return e
			}
			l.pending = append(l.pending, pending{l: l, f: f, spec: spec, local: it.name, name: f.prefix + it.name, section: "targets"})
		}
	}
	for i := range l.pending {
		l.pending[i].index = i
	}
	return nil
}

// duplicateName reports that p has the name of another target.
func (l *loader) duplicateName(p *pending, other *Target) *Error {
	what := fmt.Sprintf("target %q", other.Name)
	if other.Rule != "" {
		what = fmt.Sprintf("an instance of rule %q", other.Rule)
	} else if slices.ContainsFunc(l.rules, func(r *Rule) bool { return r.Target == other }) {
		what = fmt.Sprintf("rule %q", other.Name)
	}
	if other.File != p.f.abs {
		what += " in " + displayName(other.File)
	}
	switch {
	case p.rule != nil && p.match != "":
		return p.fail(p.at("outputs", 0), "outputs", fmt.Sprintf("%q names this instance (its first output), but %s has that name (expected names that differ)", p.name, what))
	case p.rule != nil:
		return p.f.src.errorAtRule(at{path: []string{"rules", p.local}, item: -1, offset: -1, name: true}, p.name, "", "",
			fmt.Sprintf("the name is also that of %s (expected a name of its own)", what))
	}
	return p.f.src.errorAt(at{path: []string{"targets", p.local}, item: -1, offset: -1, name: true}, p.name, "",
		fmt.Sprintf("the name is also that of %s (expected a name of its own)", what))
}

// link resolves a target's deps: explicit ones by name or output path, then
// implicit ones (inputs that other targets declare as outputs). It also
// notes which outputs of each dep the target consumes (Target.Consumes): a
// dep named only by output paths, in deps or as inputs, is consumed by
// those outputs; one named by its name, or an alias, whole.
func (l *loader) link(p *pending) *Error {
	t := p.t
	stamp := p.index + 1
	if len(p.deps) == 0 && len(t.Inputs) == 0 && len(p.fixedDeps) == 0 && p.rootMatch == "" {
		return nil
	}
	u := depUses{l: l, stamp: stamp, deps: make([]*Target, 0, len(p.deps)+len(p.fixedDeps))}
	for i, name := range p.deps {
		d, out, ok := l.lookupFrom(p.f, name)
		if !ok {
			return p.fail(p.at("deps", i), "deps", l.unknownTarget(p.f, name))
		}
		if d == t {
			return p.fail(p.at("deps", i), "deps",
				fmt.Sprintf("%q is the target itself (expected another target: a target cannot depend on itself)", name))
		}
		u.add(d, out)
	}
	for _, d := range p.fixedDeps {
		u.add(d, "")
	}
	p.explicit = len(u.deps)
	if p.rootMatch != "" {
		// A rule instance needs the file it was made for, even when its
		// inputs do not name it.
		if d, ok := l.byOutput[p.rootMatch]; ok && d != t {
			u.add(d, p.rootMatch)
		}
	}
	for _, in := range t.Inputs {
		if d, ok := l.byOutput[in]; ok && d != t {
			u.add(d, in)
		}
	}
	if len(u.deps) > 0 {
		t.Deps = u.deps
		t.Consumes = u.consumes()
	}
	return nil
}

// depUses gathers the deps of the target being linked and, once a dep is
// named by an output path, which outputs of each it consumes.
type depUses struct {
	l     *loader
	stamp int
	deps  []*Target
	// uses is nil while every dep is consumed whole, then parallel to
	// deps: nil for a dep consumed whole, else the indices in its Outputs
	// of the outputs named (never empty).
	uses [][]int
}

// add makes d a dep, consumed by its output out, or whole if out is "".
func (u *depUses) add(d *Target, out string) {
	l := u.l
	idx := -1
	// An alias stands for its deps' outputs, and the one output of a dep
	// is the whole of it: consumed whole, with nothing to allocate.
	if out != "" && len(d.Cmds) > 0 && len(d.Outputs) > 1 {
		idx = slices.Index(d.Outputs, out)
	}
	if l.mark[d.ID] != u.stamp {
		l.mark[d.ID] = u.stamp
		l.pos[d.ID] = len(u.deps)
		u.deps = append(u.deps, d)
		switch {
		case idx >= 0 && u.uses == nil:
			u.uses = make([][]int, len(u.deps), cap(u.deps))
			u.uses[len(u.deps)-1] = []int{idx}
		case u.uses != nil && idx >= 0:
			u.uses = append(u.uses, []int{idx})
		case u.uses != nil:
			u.uses = append(u.uses, nil)
		}
		return
	}
	k := l.pos[d.ID]
	switch {
	case u.uses == nil || u.uses[k] == nil: // consumed whole already
	case idx < 0:
		u.uses[k] = nil
	case !slices.Contains(u.uses[k], idx):
		u.uses[k] = append(u.uses[k], idx)
	}
}

// consumes returns Target.Consumes: nil when every dep is consumed whole,
// a dep whose every output is named counting as consumed whole.
func (u *depUses) consumes() [][]int {
	partial := false
	for k, idx := range u.uses {
		if idx == nil {
			continue
		}
		if len(idx) == len(u.deps[k].Outputs) {
			u.uses[k] = nil
			continue
		}
		slices.Sort(idx)
		partial = true
	}
	if !partial {
		return nil
	}
	return u.uses
}

// lookupFrom finds the target that name means in Buildfile f: a target of
// f (its name without f's prefix), an output path relative to f's folder,
// else a name or an output path of the whole graph ("sub/app"). out is the
// output path (relative to the root) that name is, or "" for a target name.
func (l *loader) lookupFrom(f *bfile, name string) (t *Target, out string, ok bool) {
	if f.prefix == "" {
		return lookupOutput(l.byName, l.byOutput, l.root, name)
	}
	if t, ok := l.byName[f.prefix+name]; ok {
		return t, "", true
	}
	if !filepath.IsAbs(name) {
		p := filepath.Join(f.dir, name)
		if t, ok := l.byOutput[p]; ok {
			return t, p, true
		}
	}
	return lookupOutput(l.byName, l.byOutput, l.root, name)
}

// unknownTarget is the message for a name that is neither a target nor a
// declared output, as written in Buildfile f.
func (l *loader) unknownTarget(f *bfile, name string) string {
	cands := make([]string, 0, len(l.names)+len(l.byOutput))
	for _, n := range l.names {
		cands = append(cands, strings.TrimPrefix(n, f.prefix))
	}
	for i := range l.pending {
		for _, o := range l.pending[i].t.Outputs {
			if f.prefix != "" {
				if r, err := filepath.Rel(f.dir, o); err == nil {
					o = r
				}
			}
			cands = append(cands, o)
		}
	}
	hint := didYouMean(name, cands)
	if hint == "" {
		if st, err := os.Stat(filepath.Join(l.root, f.dir, name)); err == nil && !st.IsDir() {
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
	top := l.files[0]
	names := make([]string, len(d.items))
	for i, raw := range d.items {
		a := atItem([]string{"default"}, i)
		s, err := top.x.expand(raw, sc)
		if err != nil {
			a.offset, a.raw = err.offset, raw
			return nil, l.src.errorAt(a, "", "default", err.message())
		}
		if _, ok := lookup(l.byName, l.byOutput, l.root, s); !ok {
			return nil, l.src.errorAt(a, "", "default", l.unknownTarget(top, s))
		}
		names[i] = s
	}
	return names, nil
}

// substituteDeps replaces depsMarker by the outputs of the targets named in
// the target's `deps` (aliases contribute their own deps' outputs), relative
// to its dir, each once and leaving out those in ${in}: a path is never in
// both, and the targets that only produce an input (implicit deps) add
// nothing. A target whose cmd or env uses ${deps} consumes its deps whole.
// A string that would grow past MaxExpandedSize (many ${deps} of many deps)
// is an error at its key.
func (l *loader) substituteDeps() *Error {
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
		for _, in := range p.inputs {
			seen[in] = struct{}{}
		}
		for _, d := range p.t.Deps[:p.explicit] {
			for _, o := range contribution(d, memo) {
				if _, ok := seen[o]; !ok {
					seen[o] = struct{}{}
					paths = append(paths, o)
				}
			}
		}
		s := p.join(paths)
		t := p.t
		var e *Error
		replace := func(str, marker, deps, key string, item int) string {
			if e != nil || !strings.Contains(str, marker) {
				return str
			}
			if len(str)+strings.Count(str, marker)*(len(deps)-len(marker)) > MaxExpandedSize {
				e = p.fail(p.at(key, item), key, fmt.Sprintf("${deps} makes the value grow past %d MiB (expected a value of at most %d MiB: is ${deps} used many times?)", MaxExpandedSize>>20, MaxExpandedSize>>20))
				return str
			}
			return strings.ReplaceAll(str, marker, deps)
		}
		t.Description = replace(t.Description, depsMarker, s, "description", -1)
		var quoted string
		for j := range t.Cmds {
			if strings.Contains(t.Cmds[j], depsMarker) || strings.Contains(t.Cmds[j], depsShellMarker) {
				t.Consumes = nil // the command names every output of every dep
			}
			if strings.Contains(t.Cmds[j], depsShellMarker) {
				if quoted == "" {
					quoted = p.joinQuoted(paths)
				}
				t.Cmds[j] = replace(t.Cmds[j], depsShellMarker, quoted, "cmd", j)
			}
			t.Cmds[j] = replace(t.Cmds[j], depsMarker, s, "cmd", j)
		}
		for j := range t.Env {
			if strings.Contains(t.Env[j], depsMarker) {
				t.Consumes = nil
			}
			t.Env[j] = replace(t.Env[j], depsMarker, s, "env", -1)
		}
		if e != nil {
			return e
		}
	}
	return nil
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
