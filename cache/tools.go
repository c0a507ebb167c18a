package cache

import (
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/internal/wire"
)

// Tool is a program a target's commands run (the first word of a command,
// resolved through the PATH the command sees) or one it declares in
// `tools`. Its content, not its path, enters the action key, as ccache and
// Bazel do: the same compiler installed in another folder is the same
// tool, and another compiler first in PATH is another one.
type Tool struct {
	// Name is the program as the target names it: a word of a command
	// ("cc", "./gen.sh") or an entry of `tools`.
	Name string
	// Path is the file Name resolved to, "" if it resolved to none (not in
	// PATH, or not there yet): the key then says "missing", so that the
	// program's appearance changes it.
	Path string
	// Hash is the content hash of Path (zero when Path is "").
	Hash Hash
}

// envTag and envUnsetTag start the hash of an environment variable's value,
// so that an unset variable and an empty one differ.
const (
	envTag      = "gobuildj env value 1"
	envUnsetTag = "gobuildj env unset 1"
)

// EnvHash returns the hash of an inherited environment variable's value as
// Action.EnvInputs keeps it; ok false means unset (and differs from "").
// Only the hash is kept in the state, never the value.
func EnvHash(value string, ok bool) Hash {
	if !ok {
		return HashBytes([]byte(envUnsetTag))
	}
	return HashBytes(wire.AppendString([]byte(envTag), value))
}

// appendToolKeys appends what the key covers of tools: each one's name and
// content hash (a tool resolved to nothing has a zero hash and a flag).
func appendToolKeys(b []byte, tools []Tool) []byte {
	b = wire.AppendUvarint(b, uint64(len(tools)))
	for _, t := range tools {
		b = wire.AppendString(b, t.Name)
		b = wire.AppendBool(b, t.Path != "")
		b = append(b, t.Hash[:]...)
	}
	return b
}

// toolRecords is what a record keeps of tools, to explain a change: each
// one's path (its name when it resolved to nothing) and content hash.
func toolRecords(tools []Tool) []PathHash {
	if len(tools) == 0 {
		return nil
	}
	out := make([]PathHash, len(tools))
	for i, t := range tools {
		p := t.Path
		if p == "" {
			p = t.Name
		}
		out[i] = PathHash{Path: p, Hash: t.Hash}
	}
	return out
}

// diffTools names the first tool that differs between the recorded run's
// (old, as toolRecords made them) and cur: "tool /usr/bin/cc changed" names
// the file the tool now resolves to.
func diffTools(old []PathHash, cur []Tool) event.Reason {
	now := toolRecords(cur)
	for i := range max(len(old), len(now)) {
		switch {
		case i == len(now):
			return event.Because(event.ToolChanged, old[i].Path)
		case i == len(old) || old[i] != now[i]:
			return event.Because(event.ToolChanged, now[i].Path)
		}
	}
	return event.Reason{}
}

// diffEnv names the first declared environment variable, by name, whose
// value differs between old and cur (both sorted by name), or that one of
// them declares and the other does not.
func diffEnv(old, cur []PathHash) event.Reason {
	i, j := 0, 0
	for i < len(old) || j < len(cur) {
		switch {
		case j == len(cur) || (i < len(old) && old[i].Path < cur[j].Path):
			return event.Because(event.EnvChanged, old[i].Path)
		case i == len(old) || cur[j].Path < old[i].Path:
			return event.Because(event.EnvChanged, cur[j].Path)
		case old[i].Hash != cur[j].Hash:
			return event.Because(event.EnvChanged, cur[j].Path)
		}
		i++
		j++
	}
	return event.Reason{}
}
