package graph

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// A rule's foreach matches existing files and also the outputs that the
// Buildfile declares, so that a rule over "gen/*.in" makes a target for
// gen/123.in that a generator target writes, before it exists (make's
// "%.out: %.in" with a generated %.in). The outputs it can see are those
// of every target of [targets] and of the instances of the rules written
// above it: rules chain in file order and never in a loop. A rule never
// matches its own outputs (a rule over "*.txt" writing "${stem}.up.txt"
// makes no target for a.up.txt), so that a self-matching rule stops at one
// level instead of growing at each build.

// produced is what rules may match besides existing files: the outputs
// declared so far in the load, relative to the root.
type produced struct {
	paths []string
	seen  map[string]struct{}
}

// add records output o (relative to the root).
func (pr *produced) add(o string) {
	if _, dup := pr.seen[o]; dup {
		return
	}
	if pr.seen == nil {
		pr.seen = make(map[string]struct{})
	}
	pr.seen[o] = struct{}{}
	pr.paths = append(pr.paths, o)
}

// matching returns the recorded outputs that the foreach pattern pat
// (slash-separated, relative to the root, as globPattern returns it)
// matches as a glob would, sorted.
func (pr *produced) matching(pat string) []string {
	var out []string
	fixed := fixedPrefix(pat)
	for _, o := range pr.paths {
		o := filepath.ToSlash(o)
		if strings.HasPrefix(o, fixed) && globMatches(pat, o) {
			out = append(out, filepath.FromSlash(o))
		}
	}
	slices.Sort(out)
	return out
}

// fixedPrefix is the leading folders of pattern pat that hold no glob
// ("src/" for "src/**/*.c"): a path that a pattern matches starts with it.
func fixedPrefix(pat string) string {
	i := strings.IndexAny(pat, `*?[{\`)
	if i < 0 {
		return pat
	}
	return pat[:strings.LastIndexByte(pat[:i], '/')+1]
}

// globMatches reports whether pattern pat matches the slash-separated file
// path name as the globs of a load do: a hidden file or folder (".x")
// matches only where the pattern names a hidden one too.
func globMatches(pat, name string) bool {
	if ok, _ := doublestar.Match(pat, name); !ok {
		return false
	}
	if !strings.HasPrefix(name, ".") && !strings.Contains(name, "/.") {
		return true
	}
	return strings.HasPrefix(pat, ".") || strings.Contains(pat, "/.")
}

// declaredOutputs records the outputs of every target of [targets] in the
// load, expanded as prepareOutputs will (a value that fails to expand is
// left out here: prepare reports it).
func (l *loader) declaredOutputs() {
	for _, f := range l.files {
		for _, it := range f.dec.items {
			if it.rule {
				continue
			}
			spec := f.dec.targets.specs[it.name]
			if spec == nil || len(spec.Outputs.items) == 0 {
				continue
			}
			p := pending{l: l, f: f, spec: spec, local: it.name, name: f.prefix + it.name, section: "targets"}
			for _, o := range p.earlyOutputs() {
				l.produced.add(o)
			}
		}
	}
}

// earlyOutputs expands the outputs of p while targets are being named (p.t
// is not set yet), leaving out those that fail to expand.
func (p pending) earlyOutputs() []string {
	p.t = &Target{Name: p.name}
	p.sc = scope{target: &p}
	out := make([]string, 0, len(p.spec.Outputs.items))
	for _, raw := range p.spec.Outputs.items {
		s, err := p.f.x.expand(raw, &p.sc)
		if err != nil {
			continue
		}
		if o, msg := outputPath(p.l.root, p.f.dir, s); msg == "" {
			out = append(out, o)
		}
	}
	return out
}

// hasRules reports whether any Buildfile of the load has a rule.
func (l *loader) hasRules() bool {
	for _, f := range l.files {
		for _, it := range f.dec.items {
			if it.rule {
				return true
			}
		}
	}
	return false
}

// dropOwnOutputs removes from the candidate instances of one rule those
// whose match is an output of another of them (the rule matching its own
// outputs), and records the outputs of the others for the rules below.
func (l *loader) dropOwnOutputs(cands []pending) []pending {
	outs := make([][]string, len(cands))
	by := make(map[string]int)
	for i := range cands {
		outs[i] = cands[i].earlyOutputs()
		for _, o := range outs[i] {
			if _, dup := by[o]; !dup {
				by[o] = i
			}
		}
	}
	kept := cands[:0]
	var keptOuts [][]string
	for i := range cands {
		if j, ok := by[cands[i].rootMatch]; ok && j != i {
			continue
		}
		kept = append(kept, cands[i])
		keptOuts = append(keptOuts, outs[i])
	}
	for _, list := range keptOuts {
		for _, o := range list {
			l.produced.add(o)
		}
	}
	return kept
}

// ruleHint says, for a name that no target has, which rule would make a
// target of it and from which file, when the name fits the rule's first
// output as its instances spell it ("9.out" for a rule that makes 7.out
// from 7.in): the user most likely expects that file to exist or to be
// some target's output. It is "" when no rule fits.
func (g *Graph) ruleHint(name string) string {
	name = filepath.ToSlash(filepath.Clean(name))
	for _, r := range g.Rules {
		for _, inst := range r.Instances {
			src, fit := ruleSource(r, inst, name)
			if fit == fits {
				if _, err := os.Stat(filepath.Join(g.Root, src)); err == nil {
					return "" // there, but exclude removes it
				}
				if _, ok := g.Lookup(src); ok {
					return ""
				}
				return fmt.Sprintf("; rule %q makes targets like it from the files its foreach matches, but %q is neither a file nor a target's output", r.Name, src)
			}
			if fit == fitsNot {
				break
			}
		}
	}
	return ""
}

// fit is how a name fits a rule's first output, read off one instance.
type fit int

const (
	ambiguous fit = iota // the instance does not tell: try another one
	fitsNot
	fits
)

// ruleSource returns the file from which rule r would make a target named
// name, reading the rule's first output and its match off its instance
// inst (the stem must appear once in each).
func ruleSource(r *Rule, inst *Target, name string) (string, fit) {
	match := filepath.ToSlash(inst.Match)
	var pat string
	for _, p := range r.Foreach {
		if globMatches(p, match) {
			pat = p
			break
		}
	}
	if pat == "" {
		return "", ambiguous
	}
	st := stem(pat, match)
	out := filepath.ToSlash(inst.Name)
	if st == "" || strings.Count(out, st) != 1 || strings.Count(match, st) != 1 {
		return "", ambiguous
	}
	i := strings.Index(out, st)
	prefix, suffix := out[:i], out[i+len(st):]
	if len(name) <= len(prefix)+len(suffix) || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
		return "", fitsNot
	}
	src := strings.Replace(match, st, name[len(prefix):len(name)-len(suffix)], 1)
	for _, p := range r.Foreach {
		if globMatches(p, src) {
			return src, fits
		}
	}
	return "", fitsNot
}
