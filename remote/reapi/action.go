package reapi

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/gobuildj/gobuildj/remote"
)

// SchemaVersion is part of every action's salt: changing how gobuildj turns
// targets into actions changes it, and a poisoned generation of a cache is
// dropped at once by bumping it.
const SchemaVersion = "gobuildj action 1"

// Input is remote.Input: a file of an input tree.
type Input = remote.Input

// Action is a Spec in REAPI form: the Action, Command and Directory blobs
// and their digests. Digest, the SHA-256 of the Action, is the key of the
// action cache.
type Action struct {
	Digest        Digest
	Action        []byte
	CommandDigest Digest
	Command       []byte
	RootDigest    Digest
	Dirs          [][]byte // every Directory of the input tree, root first
	Inputs        []Input  // the input files, for upload
	Outputs       []string // the declared outputs, sorted
	Timeout       time.Duration
}

// Build turns s into an Action. Every path must be relative and stay inside
// the root.
func Build(s remote.Spec) (*Action, error) {
	cmd := &repb.Command{Arguments: arguments(s.Cmds, s.Dir)}
	env := slices.Clone(s.Env)
	slices.SortFunc(env, func(a, b string) int { return strings.Compare(envKey(a), envKey(b)) })
	for i, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if i > 0 && envKey(env[i-1]) == k {
			return nil, fmt.Errorf("environment variable %s is set twice", k)
		}
		cmd.EnvironmentVariables = append(cmd.EnvironmentVariables, &repb.Command_EnvironmentVariable{Name: k, Value: v})
	}
	outs := make([]string, 0, len(s.Outputs)+1)
	declared := s.Outputs
	if s.Depfile != "" {
		// Its depfile is what the next local build reads to know the
		// headers: a hit brings it back with the outputs.
		declared = append(slices.Clip(declared), s.Depfile)
	}
	for _, o := range declared {
		p, err := cleanRel(o)
		if err != nil {
			return nil, fmt.Errorf("output %w", err)
		}
		outs = append(outs, p)
	}
	slices.Sort(outs)
	outs = slices.Compact(outs)
	cmd.OutputPaths = outs
	platform, err := platformOf(s.Platform)
	if err != nil {
		return nil, err
	}
	cmd.Platform = platform
	cmdBlob, err := marshal(cmd)
	if err != nil {
		return nil, err
	}
	a := &Action{Command: cmdBlob, CommandDigest: remote.DigestOf(cmdBlob), Outputs: outs, Timeout: s.Timeout}
	if err := a.buildTree(s.Inputs); err != nil {
		return nil, err
	}
	act := &repb.Action{
		CommandDigest:   ToProto(a.CommandDigest),
		InputRootDigest: ToProto(a.RootDigest),
		Salt:            []byte(SchemaVersion + "\x00" + s.Salt),
		Platform:        platform,
	}
	if s.Timeout > 0 {
		act.Timeout = durationpb.New(s.Timeout)
	}
	if a.Action, err = marshal(act); err != nil {
		return nil, err
	}
	a.Digest = remote.DigestOf(a.Action)
	return a, nil
}

// arguments is the argv of the commands: one /bin/sh -c for all of them,
// each in a subshell of its own (as each has a shell of its own when run
// locally), in Dir.
func arguments(cmds []string, dir string) []string {
	var b strings.Builder
	if dir != "" && dir != "." {
		b.WriteString("cd " + shellQuote(dir) + " || exit\n")
	}
	if len(cmds) == 1 && b.Len() == 0 {
		return []string{"/bin/sh", "-c", cmds[0]}
	}
	for i, c := range cmds {
		if i > 0 {
			b.WriteString(" &&\n")
		}
		b.WriteString("(\n" + c + "\n)")
	}
	return []string{"/bin/sh", "-c", b.String()}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func envKey(kv string) string {
	k, _, _ := strings.Cut(kv, "=")
	return k
}

func platformOf(props []string) (*repb.Platform, error) {
	if len(props) == 0 {
		return nil, nil
	}
	p := &repb.Platform{}
	for _, kv := range props {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("platform property %q: expected NAME=value", kv)
		}
		p.Properties = append(p.Properties, &repb.Platform_Property{Name: k, Value: v})
	}
	slices.SortFunc(p.Properties, func(a, b *repb.Platform_Property) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return p, nil
}

// cleanRel cleans a relative slash-separated path and refuses one that is
// absolute, empty or leaves the root.
func cleanRel(p string) (string, error) {
	if p == "" || path.IsAbs(p) {
		return "", fmt.Errorf("%q: expected a relative path inside the root", p)
	}
	c := path.Clean(p)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%q: expected a path inside the root", p)
	}
	return c, nil
}

// dirNode is a folder of the input tree under construction.
type dirNode struct {
	files map[string]Input
	dirs  map[string]*dirNode
}

// buildTree makes the Merkle tree of the input files: one Directory per
// folder, entries sorted by name, each folder named by the digest of its
// Directory.
func (a *Action) buildTree(inputs []Input) error {
	root := &dirNode{}
	for _, in := range inputs {
		p, err := cleanRel(in.Path)
		if err != nil {
			return fmt.Errorf("input %w", err)
		}
		in.Path = p
		parts := strings.Split(p, "/")
		n := root
		for _, part := range parts[:len(parts)-1] {
			if _, clash := n.files[part]; clash {
				return fmt.Errorf("input %s: %s is also an input file", p, part)
			}
			if n.dirs == nil {
				n.dirs = map[string]*dirNode{}
			}
			sub := n.dirs[part]
			if sub == nil {
				sub = &dirNode{}
				n.dirs[part] = sub
			}
			n = sub
		}
		name := parts[len(parts)-1]
		if _, clash := n.dirs[name]; clash {
			return fmt.Errorf("input %s is also a folder of other inputs", p)
		}
		if n.files == nil {
			n.files = map[string]Input{}
		}
		if old, dup := n.files[name]; dup && old.Digest != in.Digest {
			return fmt.Errorf("input %s is listed twice with different contents", p)
		}
		n.files[name] = in
		a.Inputs = append(a.Inputs, in)
	}
	var dirs [][]byte
	rootDigest, err := root.encode(&dirs)
	if err != nil {
		return err
	}
	// encode appends children first: put the root first for readers.
	slices.Reverse(dirs)
	a.RootDigest, a.Dirs = rootDigest, dirs
	return nil
}

// encode appends the Directory blobs of n's subtree to out (children before
// parents) and returns the digest of n's own.
func (n *dirNode) encode(out *[][]byte) (Digest, error) {
	d := &repb.Directory{}
	for _, name := range sortedKeys(n.files) {
		f := n.files[name]
		d.Files = append(d.Files, &repb.FileNode{Name: name, Digest: ToProto(f.Digest), IsExecutable: f.Executable})
	}
	for _, name := range sortedKeys(n.dirs) {
		sub, err := n.dirs[name].encode(out)
		if err != nil {
			return Digest{}, err
		}
		d.Directories = append(d.Directories, &repb.DirectoryNode{Name: name, Digest: ToProto(sub)})
	}
	b, err := marshal(d)
	if err != nil {
		return Digest{}, err
	}
	*out = append(*out, b)
	return remote.DigestOf(b), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
