// Package depcheck compares what a traced command did to files (a
// trace.Report) with what its target declares in the Buildfile, and says
// what the declaration misses, each finding with the Buildfile edit that
// would fix it:
//
//   - an undeclared read: a file inside the project that is not among the
//     target's inputs, the inputs its depfile or dyndep file named, or the
//     outputs of its deps (nor its own outputs, nor the state folder);
//   - a missing dep: a read of another target's output with no dependency
//     path to that target (ninja's missingdeps, but observed);
//   - an undeclared write: a file written or deleted outside its declared
//     outputs and outside the temporary folders;
//   - an unwritten output: an output it declares and did not write (it
//     exists because an earlier run, or something else, left it there);
//   - an outside read: a file outside the project that is not in a system
//     or toolchain folder, nor allowed by [check] allow (files in $HOME,
//     dotfiles above all, are what it is after);
//   - an order probe: a path that another target produces, looked up and
//     not found: what the command does depends on which ran first.
//
// It is pure apart from stat calls on the paths it classifies (a folder
// read to list it is not a file read; a scratch file written and removed
// again is not an output).
package depcheck

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/statedir"
	"github.com/gobuildj/gobuildj/trace"
)

// The kinds of finding, as event.DepFinding.Kind spells them.
const (
	UndeclaredRead  = "undeclared read"
	MissingDep      = "missing dep"
	UndeclaredWrite = "undeclared write"
	UnwrittenOutput = "unwritten output"
	OutsideRead     = "outside read"
	OrderProbe      = "order probe"
)

// kindOrder orders findings of one target.
var kindOrder = map[string]int{MissingDep: 0, OrderProbe: 1, UndeclaredRead: 2, UndeclaredWrite: 3, UnwrittenOutput: 4, OutsideRead: 5}

// Ran is what the checker needs of one target whose commands ran traced.
type Ran struct {
	T *graph.Target
	// Discovered are the inputs its depfile named, relative to the root
	// (absolute outside it).
	Discovered []string
	// DynFiles are the other files its dyndep file named, and DynDeps
	// the targets it made deps.
	DynFiles []string
	DynDeps  []*graph.Target
	Report   *trace.Report
}

// Checker classifies the trace reports of the targets of one graph.
type Checker struct {
	g     *graph.Graph
	roots []string // the project's folder, and its real path if different
	state []string // the state folder, at each root
	// producer maps each output (relative to the root) to its target.
	producer map[string]*graph.Target
	// readOK and writeOK are the folders outside the project whose reads,
	// and writes, are not reported; tmp the temporary ones, whose reads
	// and writes are not either, except in $HOME when it lies in one;
	// home is $HOME ("" if unknown).
	readOK, writeOK, tmp []string
	// allow are the folders of [check] allow, absolute: inside the
	// project too; patterns its globs, absolute or relative to the root.
	allow    []string
	patterns []string
	home     string
	// ignore are files never reported (gobuildj's own executable, which
	// launches traced commands).
	ignore map[string]bool
	// reach caches, by target ID, the IDs of its deps, direct or not.
	reach map[int]map[int]bool
}

// New returns a Checker for g. env reads the environment the commands
// inherit (nil: os.LookupEnv); allow are the folders or files of the
// Buildfile's [check] allow, added to the defaults for reads and writes;
// self, if not "", is an executable whose reads are never reported.
func New(g *graph.Graph, env func(string) (string, bool), allow []string, self string) *Checker {
	if env == nil {
		env = os.LookupEnv
	}
	c := &Checker{g: g, producer: map[string]*graph.Target{}, ignore: map[string]bool{}, reach: map[int]map[int]bool{}}
	c.roots = []string{g.Root}
	if real, err := filepath.EvalSymlinks(g.Root); err == nil && real != g.Root {
		c.roots = append(c.roots, real)
	}
	for _, r := range c.roots {
		c.state = append(c.state, filepath.Join(r, statedir.Name))
	}
	for _, t := range g.Targets {
		for _, o := range t.Outputs {
			c.producer[o] = t
		}
	}
	c.home, _ = env("HOME")
	sys, tmp, caches := defaultFolders(env)
	abs := make([]string, 0, len(allow))
	for _, a := range allow {
		if strings.ContainsAny(a, "*?[{") {
			c.patterns = append(c.patterns, filepath.ToSlash(a))
			continue
		}
		if !filepath.IsAbs(a) {
			a = filepath.Join(g.Root, a)
		}
		abs = append(abs, filepath.Clean(a))
	}
	c.allow = withReal(abs)
	c.readOK = withReal(slices.Concat(sys, caches, abs))
	c.writeOK = withReal(slices.Concat(caches, abs))
	c.tmp = withReal(tmp)
	if self != "" {
		c.ignore[self] = true
		if real, err := filepath.EvalSymlinks(self); err == nil {
			c.ignore[real] = true
		}
	}
	return c
}

// withReal adds to folders their real paths where they differ.
func withReal(folders []string) []string {
	out := slices.Clone(folders)
	for _, f := range folders {
		if real, err := filepath.EvalSymlinks(f); err == nil && real != f {
			out = append(out, real)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Check classifies what r's commands did, and returns its findings sorted
// by kind, then path. A target without a report gives none.
func (c *Checker) Check(r Ran) []event.DepFinding {
	if r.Report == nil {
		return nil
	}
	d := c.declared(r)
	var out []event.DepFinding
	add := func(f event.DepFinding) {
		f.Target = r.T.Name
		out = append(out, f)
	}
	written := map[string]bool{}
	for _, p := range r.Report.Written {
		written[p] = true
	}
	deleted := map[string]bool{}
	for _, p := range r.Report.Deleted {
		deleted[p] = true
	}
	for _, p := range r.Report.Read {
		if written[p] && !d.own[c.relOrAbs(p)] {
			continue // it read back what it wrote: its writes say it
		}
		if f, ok := c.read(r.T, d, p); ok {
			add(f)
		}
	}
	for _, p := range r.Report.Probed {
		if f, ok := c.probe(r.T, d, p); ok {
			add(f)
		}
	}
	for _, p := range slices.Concat(r.Report.Written, r.Report.Deleted) {
		if written[p] && deleted[p] {
			if _, err := os.Lstat(p); err != nil {
				continue // scratch: written and removed again
			}
		}
		if f, ok := c.write(r.T, d, p, !written[p]); ok {
			add(f)
		}
	}
	out = folded(out)
	out = append(out, c.unwritten(r.T, r.Report.Written, r.Report.Read)...)
	slices.SortFunc(out, func(a, b event.DepFinding) int {
		return cmp.Or(cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]), cmp.Compare(a.Path, b.Path))
	})
	return slices.CompactFunc(out, func(a, b event.DepFinding) bool { return a.Kind == b.Kind && a.Path == b.Path })
}

// folded leaves out the undeclared writes of folders that hold another
// undeclared write: `mkdir -p out && echo > out/x.log` is one finding.
func folded(fs []event.DepFinding) []event.DepFinding {
	var dirs []string
	for _, f := range fs {
		if f.Kind == UndeclaredWrite {
			dirs = append(dirs, f.Path)
		}
	}
	return slices.DeleteFunc(fs, func(f event.DepFinding) bool {
		if f.Kind != UndeclaredWrite {
			return false
		}
		for _, d := range dirs {
			if strings.HasPrefix(d, f.Path+"/") {
				return true
			}
		}
		return false
	})
}

// decl is what a target declares, as paths relative to the root (absolute
// outside it).
type decl struct {
	inputs map[string]bool // inputs, depfile and dyndep inputs, tools given as paths, the depfile and dyndep files
	deps   map[string]bool // the outputs of its deps that it consumes
	own    map[string]bool // its outputs
	direct map[int]bool    // its direct deps (dyndep ones too), through aliases
	dyn    []*graph.Target // the deps its dyndep file named
}

func (c *Checker) declared(r Ran) *decl {
	t := r.T
	d := &decl{inputs: map[string]bool{}, deps: map[string]bool{}, own: map[string]bool{}, direct: map[int]bool{}}
	for _, ps := range [][]string{t.Inputs, r.Discovered, r.DynFiles} {
		for _, p := range ps {
			d.inputs[p] = true
		}
	}
	for _, p := range []string{t.Depfile, t.Dyndep} {
		if p != "" {
			d.inputs[p] = true
		}
	}
	for _, tool := range t.Tools {
		if strings.HasPrefix(tool, "./") || filepath.IsAbs(tool) {
			d.inputs[c.relOrAbs(filepath.Join(c.g.Root, tool))] = true
		}
	}
	for _, o := range t.Outputs {
		d.own[o] = true
	}
	var consume func(dep *graph.Target, which []int)
	consume = func(dep *graph.Target, which []int) {
		d.direct[dep.ID] = true
		if len(dep.Cmds) == 0 { // an alias stands for its deps
			for _, dd := range dep.Deps {
				consume(dd, nil)
			}
		}
		if which == nil {
			for _, o := range dep.Outputs {
				d.deps[o] = true
			}
			return
		}
		for _, i := range which {
			d.deps[dep.Outputs[i]] = true
		}
	}
	for i, dep := range t.Deps {
		consume(dep, t.Consumed(i))
	}
	for _, dep := range r.DynDeps {
		consume(dep, nil)
	}
	d.dyn = r.DynDeps
	return d
}

// inside returns p relative to the project's root and true, when p lies in
// it.
func (c *Checker) inside(p string) (string, bool) {
	for _, root := range c.roots {
		if p == root {
			return ".", true
		}
		if rel, ok := strings.CutPrefix(p, root+string(filepath.Separator)); ok {
			return rel, true
		}
	}
	return "", false
}

// relOrAbs returns p relative to the root when inside it, else p.
func (c *Checker) relOrAbs(p string) string {
	if rel, ok := c.inside(p); ok {
		return rel
	}
	return p
}

// under reports whether p is one of folders or lies in one.
func under(p string, folders []string) bool {
	for _, f := range folders {
		if p == f || strings.HasPrefix(p, f+string(filepath.Separator)) || f == "/" {
			return true
		}
	}
	return false
}

// allowed reports whether p (absolute; rel, relative to the root when
// inside it) is allowed by [check] allow.
func (c *Checker) allowed(p, rel string, in bool) bool {
	if under(p, c.allow) {
		return true
	}
	for _, pat := range c.patterns {
		target := p
		if !filepath.IsAbs(pat) {
			if !in {
				continue
			}
			target = rel
		}
		if ok, _ := doublestar.Match(pat, filepath.ToSlash(target)); ok {
			return true
		}
	}
	return false
}

// isDir reports whether p is a folder now.
func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// read classifies a file that t's commands read.
func (c *Checker) read(t *graph.Target, d *decl, p string) (event.DepFinding, bool) {
	if c.ignore[p] || under(p, c.state) {
		return event.DepFinding{}, false
	}
	rel, in := c.inside(p)
	if !in {
		return c.outsideRead(t, p)
	}
	name := quoteName(t.Name)
	prod, produced := c.producer[rel]
	produced = produced && prod != t
	if produced && !d.own[rel] && !d.direct[prod.ID] && !c.reachable(t, d, prod) && !c.allowed(p, rel, true) {
		// Even when a depfile or a trace names it: a generated file read
		// with no dependency path to its producer (ninja's missingdeps).
		return event.DepFinding{
			Kind: MissingDep, Path: rel, Producer: prod.Name,
			Why:  fmt.Sprintf("read %s, an output of %s, without a dependency path to %s: it may run before %s writes the file, and not again after it changes", rel, prod.Name, prod.Name, prod.Name),
			Fix:  fmt.Sprintf("add deps = [%q] to %s (or add %q to its inputs, which makes %s a dep)", prod.Name, t.Name, rel, prod.Name),
			TOML: fmt.Sprintf("[targets.%s]\ndeps = [..., %q]", name, prod.Name),
		}, true
	}
	if d.inputs[rel] || d.deps[rel] || d.own[rel] || rel == "." || c.allowed(p, rel, true) || isDir(p) {
		return event.DepFinding{}, false
	}
	if produced {
		how := "which it reaches only through other targets"
		if d.direct[prod.ID] {
			how = "which it depends on through other outputs only"
		}
		return event.DepFinding{
			Kind: UndeclaredRead, Path: rel, Producer: prod.Name,
			Why:  fmt.Sprintf("read %s, an output of %s, %s: its action key does not cover the file, so a change to it alone does not rebuild %s", rel, prod.Name, how, t.Name),
			Fix:  fmt.Sprintf("add %q to inputs of %s", rel, t.Name),
			TOML: fmt.Sprintf("[targets.%s]\ninputs = [..., %q]", name, rel),
		}, true
	}
	return event.DepFinding{
		Kind: UndeclaredRead, Path: rel,
		Why:  fmt.Sprintf("read %s, which is not among its inputs: a change to it does not rebuild %s", rel, t.Name),
		Fix:  fmt.Sprintf("add %q to inputs of %s", rel, t.Name),
		TOML: fmt.Sprintf("[targets.%s]\ninputs = [..., %q]", name, rel),
	}, true
}

// outsideRead classifies a read outside the project.
func (c *Checker) outsideRead(t *graph.Target, p string) (event.DepFinding, bool) {
	inHome := c.home != "" && c.home != "/" && under(p, []string{c.home})
	if under(p, c.readOK) || c.allowed(p, "", false) || !inHome && under(p, c.tmp) || isDir(p) {
		return event.DepFinding{}, false
	}
	where := "outside the project and outside the system and toolchain folders"
	if inHome {
		where = "in $HOME"
		rel, _ := filepath.Rel(c.home, p)
		if strings.HasPrefix(rel, ".") {
			where = "in a dotfile or dot-folder of $HOME: a per-user setting that another machine does not have"
		}
	}
	return event.DepFinding{
		Kind: OutsideRead, Path: p,
		Why:  fmt.Sprintf("read %s, %s: a change to it does not rebuild %s, and a shared cache would hand its result to machines where it differs", p, where, t.Name),
		Fix:  fmt.Sprintf("add %q to inputs of %s (its content then enters the key), or allow it with [check] allow", p, t.Name),
		TOML: fmt.Sprintf("[targets.%s]\ninputs = [..., %q]\n# or\n[check]\nallow = [..., %q]", quoteName(t.Name), p, filepath.Dir(p)),
	}, true
}

// probe classifies a path that t's commands looked up and did not find.
func (c *Checker) probe(t *graph.Target, d *decl, p string) (event.DepFinding, bool) {
	rel, in := c.inside(p)
	if !in || under(p, c.state) {
		return event.DepFinding{}, false
	}
	prod, ok := c.producer[rel]
	if !ok || prod == t || d.direct[prod.ID] || c.reachable(t, d, prod) {
		return event.DepFinding{}, false
	}
	return event.DepFinding{
		Kind: OrderProbe, Path: rel, Producer: prod.Name,
		Why:  fmt.Sprintf("looked for %s, an output of %s, and did not find it: with no dependency path to %s, what it does depends on which of the two ran first", rel, prod.Name, prod.Name),
		Fix:  fmt.Sprintf("if %s should see %s, add deps = [%q] to %s", t.Name, rel, prod.Name, t.Name),
		TOML: fmt.Sprintf("[targets.%s]\ndeps = [..., %q]", quoteName(t.Name), prod.Name),
	}, true
}

// write classifies a file that t's commands wrote (or, with deletedOnly,
// deleted without writing).
func (c *Checker) write(t *graph.Target, d *decl, p string, deletedOnly bool) (event.DepFinding, bool) {
	rel, in := c.inside(p)
	inHome := c.home != "" && c.home != "/" && under(p, []string{c.home})
	if under(p, c.state) || c.allowed(p, rel, in) || !in && (under(p, c.writeOK) || !inHome && under(p, c.tmp)) {
		return event.DepFinding{}, false
	}
	if !in {
		rel = p
	}
	if d.own[rel] || rel == t.Depfile {
		return event.DepFinding{}, false
	}
	for _, o := range t.Outputs {
		// A folder its outputs go in, or a file in an output folder.
		if strings.HasPrefix(o, rel+"/") || rel == "." || strings.HasPrefix(rel, o+"/") {
			return event.DepFinding{}, false
		}
	}
	verb := "wrote"
	if deletedOnly {
		verb = "deleted"
	}
	why := fmt.Sprintf("%s %s, which is not among its outputs: a cache restore does not bring it back, and a clean does not remove it", verb, rel)
	fix := fmt.Sprintf("add %q to outputs of %s, or write it under $TMPDIR", rel, t.Name)
	toml := fmt.Sprintf("[targets.%s]\noutputs = [..., %q]", quoteName(t.Name), rel)
	prod, ok := c.producer[rel]
	if ok && prod != t {
		why = fmt.Sprintf("%s %s, an output of %s: two targets write one file, and which wins depends on the order", verb, rel, prod.Name)
		fix = fmt.Sprintf("make only %s write %s: change the command of %s", prod.Name, rel, t.Name)
		toml = ""
	} else if !in {
		fix = fmt.Sprintf("write it under $TMPDIR, or inside the project as an output of %s; if the file is a tool's cache, allow it with [check] allow", t.Name)
		toml = fmt.Sprintf("[check]\nallow = [..., %q]", filepath.Dir(p))
	} else if deletedOnly {
		fix = fmt.Sprintf("add %q to outputs of %s if it owns the file, or stop deleting it", rel, t.Name)
	}
	f := event.DepFinding{Kind: UndeclaredWrite, Path: rel, Why: why, Fix: fix, TOML: toml}
	if ok && prod != t {
		f.Producer = prod.Name
	}
	return f, true
}

// unwritten reports t's declared outputs that its commands did not write.
// An output they read and left as it was is not reported: the tool checked
// it was up to date (go build reads the build ID of the binary it would
// write, and leaves it when it matches).
func (c *Checker) unwritten(t *graph.Target, written, read []string) []event.DepFinding {
	var wrote, seen []string
	for _, p := range written {
		wrote = append(wrote, c.relOrAbs(p))
	}
	for _, p := range read {
		seen = append(seen, c.relOrAbs(p))
	}
	slices.Sort(wrote)
	var out []event.DepFinding
	for _, o := range t.Outputs {
		if _, ok := slices.BinarySearch(wrote, o); ok || slices.Contains(seen, o) {
			continue
		}
		i, _ := slices.BinarySearch(wrote, o+"/")
		if i < len(wrote) && strings.HasPrefix(wrote[i], o+"/") {
			continue // an output folder it wrote into
		}
		out = append(out, event.DepFinding{
			Target: t.Name, Kind: UnwrittenOutput, Path: o,
			Why:  fmt.Sprintf("declares %s as an output and did not write it: the file there is left from before, and its hash is not what this run made", o),
			Fix:  fmt.Sprintf("remove %q from outputs of %s (or make its command write it)", o, t.Name),
			TOML: fmt.Sprintf("[targets.%s]\noutputs = [...]  # without %q", quoteName(t.Name), o),
		})
	}
	return out
}

// reachable reports whether prod is among t's deps, direct or not, those
// its dyndep file named included.
func (c *Checker) reachable(t *graph.Target, d *decl, prod *graph.Target) bool {
	if c.reaches(t, prod) {
		return true
	}
	for _, dd := range d.dyn {
		if dd == prod || c.reaches(dd, prod) {
			return true
		}
	}
	return false
}

// reaches reports whether dep is among t's deps, direct or not.
func (c *Checker) reaches(t, dep *graph.Target) bool {
	set, ok := c.reach[t.ID]
	if !ok {
		set = map[int]bool{}
		var walk func(x *graph.Target)
		walk = func(x *graph.Target) {
			for _, d := range x.Deps {
				if !set[d.ID] {
					set[d.ID] = true
					walk(d)
				}
			}
		}
		walk(t)
		c.reach[t.ID] = set
	}
	return set[dep.ID]
}

// quoteName spells a target's name as a TOML key.
func quoteName(name string) string {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return fmt.Sprintf("%q", name)
		}
	}
	return name
}
