package cache

import (
	"cmp"
	"slices"

	"github.com/gobuildj/gobuildj/internal/wire"
)

// Action is a complete description of one run of a target: everything that
// may change what its commands produce. Its Key is the action key of SPEC
// section 2: equal keys mean the run would do the same thing again.
type Action struct {
	Cmds []string // the expanded commands, in order
	Env  []string // KEY=value added to the environment, sorted by KEY
	Dir  string   // working folder, relative to the Buildfile's
	// Inputs are the input files (globs already expanded, so adding or
	// removing a matching file changes the key) with their content hashes,
	// sorted by path (Key sorts a copy if they are not).
	Inputs []PathHash
	// DepOutputs are the outputs of the target's deps that it consumes
	// (all of a dep's, or those it names by path: graph.Target.Consumes)
	// with their content hashes, in dep order. An output left out does
	// not change the key: early cutoff per output.
	DepOutputs []PathHash
	// Tools are the programs the commands run and the tools the target
	// declares, each by the name the target gives it and the content of
	// the file it resolves to (see Tool), in the order found.
	Tools []Tool
	// EnvInputs are the inherited environment variables the target
	// declares (env_inputs), sorted by name, each with EnvHash of its
	// value: unset and empty differ.
	EnvInputs []PathHash
	// DepOf, if not nil, names the dep target that produced a path of
	// DepOutputs, for explanations ("dep gen rebuilt with new outputs").
	// It is not part of the key, and is called only to explain.
	DepOf func(path string) string
	// EnvValues are "NAME=value" for the EnvInputs whose values may be
	// shown (ShowableEnv), sorted by name: the record keeps them for
	// `why`. They are not part of the key.
	EnvValues []string
}

// Domain tags: each hash covers its own tag first, so that no two of them
// (nor a future version of one) can collide by construction.
const (
	keyTag  = "gobuildj action key 2" // 2: tools and env_inputs
	cmdTag  = "gobuildj command 1"
	depsTag = "gobuildj dep outputs 1"
)

// Key returns the action key: the xxh3-128 hash of a length-prefixed
// encoding of every field, so that no two different actions encode alike
// (["a b"] and ["a", "b"] differ, as do an input's path and its neighbour's).
func (a *Action) Key() Hash {
	b := make([]byte, 0, a.sizeHint())
	b = wire.AppendString(b, keyTag)
	b = a.appendCmd(b)
	b = appendPathHashes(b, sortedByPath(a.Inputs))
	b = appendPathHashes(b, a.DepOutputs)
	b = appendToolKeys(b, a.Tools)
	b = appendPathHashes(b, a.EnvInputs)
	return HashBytes(b)
}

// CmdHash returns the hash of the commands, env and dir alone: a record
// keeps it to tell "command changed" from other reasons.
func (a *Action) CmdHash() Hash {
	return HashBytes(a.appendCmd(wire.AppendString(nil, cmdTag)))
}

// DepsHash returns the hash of the deps' outputs alone: a record keeps it to
// tell "dep output changed" from other reasons.
func (a *Action) DepsHash() Hash {
	return HashBytes(appendPathHashes(wire.AppendString(nil, depsTag), a.DepOutputs))
}

// Record returns the record of a successful run of a as target name, with
// action key key and everything Check needs to explain a later change. The
// caller adds Outputs, Duration and Finished.
func (a *Action) Record(name string, key Hash) TargetRecord {
	return TargetRecord{
		Name:       name,
		Key:        key,
		CmdHash:    a.CmdHash(),
		DepsHash:   a.DepsHash(),
		Inputs:     slices.Clone(sortedByPath(a.Inputs)),
		DepOutputs: slices.Clone(a.DepOutputs),
		Tools:      toolRecords(a.Tools),
		EnvInputs:  slices.Clone(a.EnvInputs),
		CmdText:    a.keptCmdText(),
		EnvValues:  slices.Clone(a.EnvValues),
	}
}

func (a *Action) appendCmd(b []byte) []byte {
	b = wire.AppendStrings(b, a.Cmds)
	b = wire.AppendStrings(b, a.Env)
	return wire.AppendString(b, a.Dir)
}

func (a *Action) sizeHint() int {
	n := 64 + len(a.Dir)
	for _, s := range a.Cmds {
		n += 4 + len(s)
	}
	for _, s := range a.Env {
		n += 4 + len(s)
	}
	for _, ph := range a.Inputs {
		n += 20 + len(ph.Path)
	}
	for _, ph := range a.DepOutputs {
		n += 20 + len(ph.Path)
	}
	for _, t := range a.Tools {
		n += 20 + len(t.Name)
	}
	for _, ph := range a.EnvInputs {
		n += 20 + len(ph.Path)
	}
	return n
}

// sortedByPath returns phs sorted by path: phs itself if it already is,
// else a sorted copy.
func sortedByPath(phs []PathHash) []PathHash {
	byPath := func(a, b PathHash) int { return cmp.Compare(a.Path, b.Path) }
	if slices.IsSortedFunc(phs, byPath) {
		return phs
	}
	phs = slices.Clone(phs)
	slices.SortFunc(phs, byPath)
	return phs
}
