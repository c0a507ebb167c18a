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
// [vars], prepare each target in file order (pending.prepare: expand its
// strings, paths and globs), link deps, check `default`, sort, and replace
// ${deps}.
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

func (l *loader) load() (*Graph, *Error) {
	dec, e := decode(l.src)
	if e != nil {
		return nil, e
	}
	remote, e := dec.remote.settle(l.src)
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
		l.pending[i] = pending{l: l, t: t, spec: spec, index: i}
		outputs += len(spec.Outputs.items)
	}
	l.byOutput = make(map[string]*Target, outputs)
	for i := range l.pending {
		if e := l.pending[i].prepare(); e != nil {
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
		Remote:   remote,
		byName:   l.byName,
		byOutput: l.byOutput,
		display:  l.src.file,
	}, nil
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
