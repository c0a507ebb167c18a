package why

import (
	"fmt"
	"strings"
	"time"

	"github.com/gobuildj/gobuildj/remote"
)

// RemoteExplanation is why this machine misses (or would find) what another
// machine shared of a target: every difference between what this machine
// would send now and the manifest stored with the latest remote entry of
// the same target.
type RemoteExplanation struct {
	Target string `json:"target"`
	// NotShared says why this machine would not use the remote cache
	// for the target at all ("" when it would).
	NotShared string `json:"not_shared,omitempty"`
	// Found says whether the cache holds a manifest of the target;
	// BuiltBy and BuiltAt say which machine stored it, and when.
	Found   bool      `json:"found"`
	BuiltBy string    `json:"built_by,omitempty"`
	BuiltAt time.Time `json:"built_at,omitzero"`
	// Changes are the differences, Old being the cache's value and New
	// this machine's, sorted by kind then name.
	Changes []Change `json:"changes"`
}

// ExplainRemote compares local, this machine's manifest of a target, with
// cached, the one stored with the remote cache's latest entry of the same
// target (nil if none).
func ExplainRemote(local, cached *remote.WhyManifest) RemoteExplanation {
	e := RemoteExplanation{Target: local.Target, Changes: []Change{}}
	if cached == nil {
		return e
	}
	e.Found, e.BuiltBy, e.BuiltAt = true, cached.Host, cached.Time
	var cs []Change
	add := func(c Change) { cs = append(cs, c) }

	var diff []string
	diff = append(diff, lineDiff("cmd ", cached.Cmds, local.Cmds)...)
	diff = append(diff, lineDiff("env ", cached.Env, local.Env)...)
	diff = append(diff, lineDiff("output ", cached.Outputs, local.Outputs)...)
	diff = append(diff, lineDiff("platform ", cached.Platform, local.Platform)...)
	if cached.Dir != local.Dir {
		diff = append(diff, "- dir "+cached.Dir, "+ dir "+local.Dir)
	}
	if cached.Depfile != local.Depfile {
		diff = append(diff, "- depfile "+cached.Depfile, "+ depfile "+local.Depfile)
	}
	if cached.Traced != local.Traced {
		diff = append(diff, "- "+tracedWord(cached.Traced), "+ "+tracedWord(local.Traced))
	}
	if len(diff) > 0 {
		add(Change{Kind: Command, Diff: diff, Text: "command differs (- in the cache, + here)"})
	}

	files := func(kind Kind, what string, cached, local []remote.PathDigest) {
		was := make(map[string]remote.Digest, len(cached))
		for _, pd := range cached {
			was[pd.Path] = pd.Digest
		}
		is := make(map[string]bool, len(local))
		for _, pd := range local {
			is[pd.Path] = true
			o, ok := was[pd.Path]
			switch {
			case !ok:
				add(Change{Kind: kind, Name: pd.Path, New: pd.Digest.HashHex(), Text: what + " " + pd.Path + " only here"})
			case o != pd.Digest:
				add(Change{Kind: kind, Name: pd.Path, Old: o.HashHex(), New: pd.Digest.HashHex(),
					Text: fmt.Sprintf("%s %s differs: %s here, %s in the cache", what, pd.Path, short(pd.Digest.HashHex()), short(o.HashHex()))})
			}
		}
		for _, pd := range cached {
			if !is[pd.Path] {
				add(Change{Kind: kind, Name: pd.Path, Old: pd.Digest.HashHex(), Text: what + " " + pd.Path + " only in the cache"})
			}
		}
	}
	files(Input, "input", cached.Inputs, local.Inputs)
	files(DepOutput, "dep output", cached.DepOutputs, local.DepOutputs)

	named(cached.EnvInputs, local.EnvInputs, func(name, o, n string, inO, inN bool) {
		switch {
		case !inO:
			add(Change{Kind: Env, Name: name, Text: "env " + name + " declared here only"})
		case !inN:
			add(Change{Kind: Env, Name: name, Text: "env " + name + " declared in the cache's entry only"})
		case o != n:
			add(Change{Kind: Env, Name: name, Text: fmt.Sprintf("env %s differs (%s here, %s in the cache)", name, envText(n), envText(o))})
		}
	})

	toolsOf := func(ts []remote.Tool) []remote.NamedValue {
		out := make([]remote.NamedValue, len(ts))
		for i, t := range ts {
			out[i] = remote.NamedValue{Name: t.Name, Value: t.SHA256}
		}
		return out
	}
	path := func(ts []remote.Tool, name string) string {
		for _, t := range ts {
			if t.Name == name && t.Path != "" {
				return t.Path
			}
		}
		return name
	}
	named(toolsOf(cached.Tools), toolsOf(local.Tools), func(name, o, n string, inO, inN bool) {
		p := path(local.Tools, name)
		switch {
		case !inO:
			add(Change{Kind: Tool, Name: p, New: n, Text: "tool " + p + " used here only"})
		case !inN:
			add(Change{Kind: Tool, Name: path(cached.Tools, name), Old: o, Text: "tool " + path(cached.Tools, name) + " used in the cache's entry only"})
		case o != n:
			text := fmt.Sprintf("tool %s: %s here, %s in the cache", p, short(n), short(o))
			if cp := path(cached.Tools, name); cp != p {
				text += " (" + cp + " there)"
			}
			add(Change{Kind: Tool, Name: p, Old: o, New: n, Text: text})
		}
	})
	sortChanges(cs)
	if cs != nil {
		e.Changes = cs
	}
	return e
}

// named calls f for each name of cached or local, with both values and
// whether each side has it: those of local first, in order, then those
// only in cached.
func named(cached, local []remote.NamedValue, f func(name, o, n string, inO, inN bool)) {
	merge(cached, local, func(nv remote.NamedValue) (string, string) { return nv.Name, nv.Value }, f)
}

// short is a hex hash as people read it: its first 8 digits.
func short(h string) string {
	if len(h) <= 8 {
		return h
	}
	return h[:8] + "..."
}

// envText is the value of a variable as a manifest gives it: unset, or set
// (its value goes by digest only).
func envText(h string) string {
	if h == "unset" {
		return "unset"
	}
	return "set, " + short(h)
}

// String says e as `gobuildj why --remote` prints it:
//
//	app: misses the remote cache's entry (stored by ci-7, 12 min ago)
//	  tool /usr/bin/cc: 3f2a1b2c... here, 9c1b0d3e... in the cache
func (e *RemoteExplanation) String(now time.Time) string {
	var b strings.Builder
	b.WriteString(e.Target + ": ")
	from := ""
	if e.BuiltBy != "" || !e.BuiltAt.IsZero() {
		var parts []string
		if e.BuiltBy != "" {
			parts = append(parts, "stored by "+e.BuiltBy)
		}
		if !e.BuiltAt.IsZero() {
			parts = append(parts, Age(now.Sub(e.BuiltAt)))
		}
		from = " (" + strings.Join(parts, ", ") + ")"
	}
	switch {
	case e.NotShared != "":
		b.WriteString("not looked up in the remote cache: " + e.NotShared + "\n")
	case !e.Found:
		b.WriteString("the remote cache holds no manifest of it (never shared with this salt, or evicted)\n")
	case len(e.Changes) == 0:
		b.WriteString("no difference from the remote cache's latest entry" + from + ": what goes into its key is the same here\n")
	default:
		b.WriteString("misses the remote cache's latest entry" + from + "\n")
	}
	for _, c := range e.Changes {
		b.WriteString("  " + c.Text)
		if len(c.Diff) > 0 {
			b.WriteString(":")
		}
		b.WriteString("\n")
		for _, l := range c.Diff {
			b.WriteString("    " + l + "\n")
		}
	}
	return b.String()
}

// tracedWord says whether a why manifest's commands ran traced.
func tracedWord(traced bool) string {
	if traced {
		return "traced"
	}
	return "not traced"
}
