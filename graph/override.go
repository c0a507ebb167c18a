package graph

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/bmatcuk/doublestar/v4"
)

// A rule's own variables and their overrides: make's target-specific
// variables (`attr.o: EXTRA_CPPFLAGS = -DX`) as a rule's keys.
//
//	[rules.obj]
//	foreach = "src/*.c"
//	vars = { EXTRA = "" }
//	cmd = "cc ${EXTRA} -c ${in} -o ${out}"
//
//	[rules.obj.override."src/attr.c"]
//	vars = { EXTRA = "-DETC_GITATTRIBUTES=1" }
//
// `vars` gives the rule's variables their default; each
// `override."PATTERN"` table gives new values to the instances whose file
// the pattern matches (later overrides, in file order, over earlier ones).
// In an instance's strings, ${NAME} is the innermost of: the last override
// that sets NAME, the rule's vars, [vars]. Inside a value, ${NAME} of its
// own name is the value beneath it, so `CFLAGS = "${CFLAGS} -O3"` appends,
// as make's `+=` does. An override may only set a variable that the rule's
// vars or [vars] define (a misspelled name is an error), and a pattern that
// matches none of the rule's files is an error too.

// overrideSpec is one [rules.NAME.override."PATTERN"] table.
type overrideSpec struct {
	vars    map[string]text
	bad     problem // not a table
	varsBad problem // vars is not a table of strings
}

// decodeRuleVars decodes a table of strings: a rule's vars or an
// override's.
func decodeRuleVars(v any, example string) (map[string]text, problem) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, problem{"expected a table of strings such as " + example + ", got " + describe(v), -1}
	}
	vars := make(map[string]text, len(m))
	for name, ev := range m {
		var t text
		_ = t.UnmarshalTOML(ev) // never fails
		vars[name] = t
	}
	return vars, problem{}
}

// decodeOverrides decodes a rule's override table: pattern -> table.
func decodeOverrides(v any) (map[string]*overrideSpec, problem) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, problem{`expected a table of patterns such as [rules.obj.override."src/attr.c"] with vars = { ... }, got ` + describe(v), -1}
	}
	specs := make(map[string]*overrideSpec, len(m))
	for pat, ov := range m {
		o := &overrideSpec{}
		specs[pat] = o
		t, ok := ov.(map[string]any)
		if !ok {
			o.bad = problem{"expected a table such as { vars = { EXTRA = \"-DX\" } }, got " + describe(ov), -1}
			continue
		}
		vv, ok := t["vars"]
		if !ok {
			if len(t) == 0 { // else walk reports the key that is not vars
				o.bad = problem{`missing vars (expected vars = { NAME = "value" }: the values the rule's variables take for the files the pattern matches)`, -1}
			}
			continue
		}
		o.vars, o.varsBad = decodeRuleVars(vv, `vars = { EXTRA = "-DX" }`)
	}
	return specs, problem{}
}

// badText reports whether a value of vars is not a string.
func badText(vars map[string]text) bool {
	for _, v := range vars {
		if v.bad.msg != "" {
			return true
		}
	}
	return false
}

// badOverrides reports whether an override has a problem.
func badOverrides(specs map[string]*overrideSpec) bool {
	for _, o := range specs {
		if o.bad.msg != "" || o.varsBad.msg != "" || badText(o.vars) {
			return true
		}
	}
	return false
}

// varLayer is the raw values of a rule's vars or of one of its overrides.
type varLayer map[string]string

// ruleOverride is an override of a rule, ready to match its files.
type ruleOverride struct {
	raw     string // the pattern as written
	pattern string // expanded, relative to the root
	vars    varLayer
	used    bool
}

// prepareOverrides checks the rule's vars and overrides (in file order)
// and returns the layer of its vars and the overrides.
func (p *pending) prepareOverrides() (varLayer, []*ruleOverride, *Error) {
	x := p.spec.x
	if x == nil || x.Vars == nil && x.Overrides == nil {
		return nil, nil, nil
	}
	base := make(varLayer, len(x.Vars))
	for name, v := range x.Vars {
		if msg := localVarProblem(name, v.s); msg != "" {
			return nil, nil, p.fail(at{path: []string{"rules", p.local, "vars", name}, item: -1, offset: -1, name: true}, "vars."+toml.Key{name}.String(), msg)
		}
		base[name] = v.s
	}
	var overrides []*ruleOverride
	for _, k := range p.f.src.keys {
		if len(k) != 4 || k[0] != "rules" || k[1] != p.local || k[2] != "override" {
			continue
		}
		raw := k[3]
		o := x.Overrides[raw]
		key := "override." + toml.Key{raw}.String()
		here := at{path: []string{"rules", p.local, "override", raw}, item: -1, offset: -1, name: true}
		s, e := p.f.x.expand(raw, &p.sc)
		if e != nil {
			return nil, nil, p.fail(here, key, e.message())
		}
		if s == "" {
			return nil, nil, p.fail(here, key, `empty pattern (expected a glob or a path such as "src/attr.c")`)
		}
		pat, msg := globPattern(p.f.dir, s)
		if msg != "" {
			return nil, nil, p.fail(here, key, msg)
		}
		layer := make(varLayer, len(o.vars))
		for name, v := range o.vars {
			va := at{path: []string{"rules", p.local, "override", raw, "vars", name}, item: -1, offset: -1, name: true}
			vkey := key + ".vars." + toml.Key{name}.String()
			if msg := localVarProblem(name, v.s); msg != "" {
				return nil, nil, p.fail(va, vkey, msg)
			}
			if _, ok := base[name]; !ok {
				if _, ok := p.f.x.vars[name]; !ok {
					cands := make([]string, 0, len(base)+len(p.f.x.names))
					for n := range base {
						cands = append(cands, n)
					}
					cands = append(cands, p.f.x.names...)
					return nil, nil, p.fail(va, vkey, fmt.Sprintf("%q is not a variable of the rule (expected a name that the rule's vars or [vars] define%s)", name, didYouMean(name, cands)))
				}
			}
			layer[name] = v.s
		}
		overrides = append(overrides, &ruleOverride{raw: raw, pattern: pat, vars: layer})
	}
	return base, overrides, nil
}

// localVarProblem says what is wrong with a rule variable's name or value.
func localVarProblem(name, value string) string {
	switch {
	case isAuto(name):
		return strconv.Quote(name) + " is an automatic variable, set in each target (expected a name other than target, in, out, deps, match and stem)"
	case name == "" || strings.ContainsAny(name, "${}:"):
		return fmt.Sprintf("invalid variable name %q (expected letters, digits, _ and -)", name)
	case strings.IndexByte(value, 0) >= 0:
		return "the value contains a NUL character"
	}
	return ""
}

// layersFor returns the variable layers of the instance of file m
// (relative to the root): the rule's vars, then each override whose
// pattern matches m, marked as used.
func layersFor(base varLayer, overrides []*ruleOverride, m string) []varLayer {
	if base == nil && len(overrides) == 0 {
		return nil
	}
	layers := []varLayer{base}
	m = filepath.ToSlash(m)
	for _, o := range overrides {
		if ok, _ := doublestar.Match(o.pattern, m); ok {
			o.used = true
			layers = append(layers, o.vars)
		}
	}
	return layers
}

// unusedOverride reports an override whose pattern matched none of the
// rule's files (files: the instances' files, relative to the root).
func (p *pending) unusedOverride(overrides []*ruleOverride, files []string) *Error {
	for _, o := range overrides {
		if o.used {
			continue
		}
		key := "override." + toml.Key{o.raw}.String()
		here := at{path: []string{"rules", p.local, "override", o.raw}, item: -1, offset: -1, name: true}
		n := fmt.Sprintf("%d files", len(files))
		if len(files) == 1 {
			n = "1 file"
		}
		return p.fail(here, key, fmt.Sprintf("%q matches none of the rule's %s (expected a pattern that matches one of them%s)", o.pattern, n, didYouMean(o.pattern, files)))
	}
	return nil
}

// localVar returns the value of the rule variable name in the instance p,
// if one of its layers defines it: the innermost layer below the one being
// expanded for name (so that a value may refer to the one it overrides).
func (p *pending) localVar(x *expander, name string, sc *scope) (string, bool, *expandError) {
	top := len(p.layers) - 1
	if d, ok := p.busy[name]; ok {
		top = d - 1
	}
	for i := top; i >= 0; i-- {
		raw, ok := p.layers[i][name]
		if !ok {
			continue
		}
		if p.busy == nil {
			p.busy = make(map[string]int)
		}
		old, had := p.busy[name]
		p.busy[name] = i
		v, err := x.expand(raw, sc)
		if had {
			p.busy[name] = old
		} else {
			delete(p.busy, name)
		}
		if err != nil {
			return "", true, &expandError{msg: err.message() + " (in the rule's variable " + name + ")", offset: -1}
		}
		return v, true, nil
	}
	return "", false, nil
}
