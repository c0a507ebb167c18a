package remote

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Digest names a blob in a content-addressable store: the SHA-256 of its
// bytes and their number. SHA-256 is the one digest function every REAPI
// server accepts; xxh3, gobuildj's local hash, never goes on the wire because
// anyone could craft a collision and so poison a shared cache.
type Digest struct {
	Hash [sha256.Size]byte
	Size int64
}

// DigestOf returns the digest of b.
func DigestOf(b []byte) Digest { return Digest{Hash: sha256.Sum256(b), Size: int64(len(b))} }

// String returns the digest as "hex/size", as REAPI resource names spell it.
func (d Digest) String() string { return fmt.Sprintf("%x/%d", d.Hash, d.Size) }

// HashHex returns the hash as 64 lowercase hex digits.
func (d Digest) HashHex() string { return hex.EncodeToString(d.Hash[:]) }

// Spec is one run of a target as the remote side sees it: everything that
// may change what its commands produce. Two runs with equal Specs have the
// same action digest, on any machine.
type Spec struct {
	// Cmds are the commands, run in order by /bin/sh -c, stopping at the
	// first that fails.
	Cmds []string
	// Dir is the working folder, relative to the root ("." for the root).
	Dir string
	// Env is the whole environment of the commands, KEY=value: a remote
	// runner passes nothing else (PATH included).
	Env []string
	// Inputs are the files the commands read, relative to the root.
	Inputs []Input
	// Outputs are the files the commands write, relative to the root.
	Outputs []string
	// Platform is the properties a worker must have (NAME=value).
	Platform []string
	// Timeout, if positive, bounds a remote execution.
	Timeout time.Duration
	// Salt is added to the schema version in the action's salt: a new
	// salt makes every action new.
	Salt string
	// Depfile, if set, is the depfile the commands write (relative to the
	// root): the files it names are inputs that only a run finds. It is
	// an output of the action, so a hit brings it back, and the action is
	// found through a manifest (see package reapi, manifest.go).
	Depfile string
	// Known are digests the engine already has of files the last local
	// run's depfile named, relative to the root or absolute (system
	// headers): a manifest that lists them need not hash them again.
	Known []Input
	// Trace runs the commands under the tracer: the files they read
	// inside the project (and under /usr) are inputs that only a run
	// finds, as a depfile's are, and the paths they looked for in vain
	// inside the project must stay empty. The action is found through a
	// manifest of both (see package reapi, manifest.go), and a hit
	// restores them as the result's trace.
	Trace bool `json:",omitempty"`
}

// Input is a file of an action's input tree.
type Input struct {
	Path       string // relative to the root, slash-separated, no ".."
	Digest     Digest
	Executable bool
}

// Request is what a gobuildj-remote worker does for one target: look its
// action up, run it remotely or locally, share a local success. The engine
// makes it; it crosses the process boundary encoded (Encode, DecodeRequest).
type Request struct {
	Config Config
	// Exec runs the action on the server's Execution service; otherwise
	// a miss runs the commands locally.
	Exec bool
	// Upload shares a successful local run (the cache is read-only
	// without it).
	Upload bool
	// Strict fails the target when the server cannot be used, instead of
	// running it locally.
	Strict bool
	// ExecTimeout, if positive, bounds a remote execution from its upload
	// to its last output (queueing on the farm included): past it the
	// server counts as failed, and the target runs locally (or fails with
	// Strict).
	ExecTimeout time.Duration
	// Root is the absolute folder every path of Spec is relative to.
	Root string
	Spec Spec
	// Why, with Upload, is what went into the action's key, stored beside
	// a shared result for `gobuildj why --remote` (nil to store none).
	Why *WhyManifest `json:",omitempty"`
}

// Encode returns the binary form of r, for DecodeRequest.
func (r *Request) Encode() []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic(fmt.Sprintf("remote: encode request: %v", err)) // plain data: cannot fail
	}
	return b
}

// DecodeRequest decodes a Request encoded by Encode.
func DecodeRequest(b []byte) (*Request, error) {
	var r Request
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode remote request: %w", err)
	}
	return &r, nil
}

// MarshalText encodes d as "hex/size".
func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes "hex/size".
func (d *Digest) UnmarshalText(b []byte) error {
	var h string
	var size int64
	if _, err := fmt.Sscanf(string(b), "%64s", &h); err != nil || len(b) < 66 || b[64] != '/' {
		return fmt.Errorf("invalid digest %q", b)
	}
	if _, err := fmt.Sscan(string(b[65:]), &size); err != nil || size < 0 {
		return fmt.Errorf("invalid digest size in %q", b)
	}
	if _, err := hex.Decode(d.Hash[:], []byte(h)); err != nil {
		return fmt.Errorf("invalid digest %q: %w", b, err)
	}
	d.Size = size
	return nil
}

// The messages of the circuit breaker between gobuildj and the running
// remote tasks (sched messages): a task that found the server dead or too
// slow says so at once (DownPrefix and why), and gobuildj then tells every
// running remote task to give up on the server (GiveUp), so that one
// remote timeout is all a build loses to a dead server.
const (
	// DownPrefix starts the message a task sends when the server failed
	// it; the rest says why.
	DownPrefix = "remote-down: "
	// GiveUp is the message that tells a task to stop using the server:
	// it builds locally, or fails with Strict.
	GiveUp = "remote-give-up"
)
