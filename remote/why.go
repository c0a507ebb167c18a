package remote

import (
	"encoding/json"
	"fmt"
	"time"
)

// WhyManifest is what went into a target's remote action key, as the
// machine that computed it saw it: `gobuildj why --remote` compares the one
// of this machine with the one the last machine that shared the target
// stored beside its result, to say why this machine misses. Every content
// is named by its SHA-256 digest, and the values of inherited variables
// (env_inputs) by theirs only.
type WhyManifest struct {
	// Target is the target's name; Buildfile the path of the Buildfile
	// that declares it, relative to the root (slash-separated).
	Target    string `json:"target"`
	Buildfile string `json:"buildfile"`
	// Salt is the [remote] salt: with Target and Buildfile, what the
	// entry is found by (see WhyLookup).
	Salt string `json:"salt,omitempty"`
	// Host and Time say which machine stored it, and when (set by the
	// machine that shares the result).
	Host string    `json:"host,omitempty"`
	Time time.Time `json:"time,omitzero"`
	// Cmds, Dir, Env (the Command's environment less the inherited
	// variables of env_inputs), Outputs, Platform and Depfile are the
	// action's command as the remote side sees it.
	Cmds     []string `json:"cmds"`
	Dir      string   `json:"dir"`
	Env      []string `json:"env,omitempty"`
	Outputs  []string `json:"outputs,omitempty"`
	Platform []string `json:"platform,omitempty"`
	Depfile  string   `json:"depfile,omitempty"`
	// Traced is set when the commands ran traced (trace = true or
	// --trace-deps): the action is then found through a manifest of what
	// they read, apart from the untraced one's.
	Traced bool `json:"traced,omitempty"`
	// EnvInputs are the inherited variables (env_inputs) with the
	// SHA-256 of their values, "unset" when not set.
	EnvInputs []NamedValue `json:"env_inputs,omitempty"`
	// Inputs are the declared inputs, DepOutputs the outputs of deps
	// that it reads, each with its digest.
	Inputs     []PathDigest `json:"inputs,omitempty"`
	DepOutputs []PathDigest `json:"dep_outputs,omitempty"`
	// Tools are the programs its commands run (by the name written in
	// them), with the file each resolves to and its SHA-256 ("missing"
	// when it does not resolve).
	Tools []Tool `json:"tools,omitempty"`
}

// NamedValue is a name with a value (a hash, in hex).
type NamedValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PathDigest is a file with the digest of its content.
type PathDigest struct {
	Path   string `json:"path"`
	Digest Digest `json:"digest"`
}

// Tool is a program of a target's commands.
type Tool struct {
	Name   string `json:"name"`
	Path   string `json:"path,omitempty"`
	SHA256 string `json:"sha256"`
}

// EncodeWhy returns the blob of m.
func EncodeWhy(m *WhyManifest) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("remote: encode why manifest: %v", err)) // plain data: cannot fail
	}
	return b
}

// DecodeWhy decodes a blob of EncodeWhy.
func DecodeWhy(b []byte) (*WhyManifest, error) {
	var m WhyManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode why manifest: %w", err)
	}
	return &m, nil
}

// WhyTaskName is the sched task of gobuildj-remote that fetches the latest
// WhyManifest stored for a target: its payload is an encoded WhyLookup, its
// answer the manifest's blob (empty when there is none).
const WhyTaskName = "gobuildj.why.remote"

// WhyLookup asks the server of Config for the latest WhyManifest of a
// target. The entry is found by the salt, the Buildfile and the target's
// name only, not by the action's key: this machine's key is the one that
// missed.
type WhyLookup struct {
	Config    Config
	Salt      string
	Buildfile string
	Target    string
}

// Encode returns the payload of WhyTaskName.
func (l *WhyLookup) Encode() []byte {
	b, err := json.Marshal(l)
	if err != nil {
		panic(fmt.Sprintf("remote: encode why lookup: %v", err)) // plain data: cannot fail
	}
	return b
}

// DecodeWhyLookup decodes a payload of WhyTaskName.
func DecodeWhyLookup(b []byte) (*WhyLookup, error) {
	var l WhyLookup
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("decode why lookup: %w", err)
	}
	return &l, nil
}
