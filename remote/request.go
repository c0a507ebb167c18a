package remote

import (
	"bytes"
	"encoding/gob"
	"fmt"
)

// Request is what a worker process needs to look an action up, run it
// remotely and share its result: the engine makes it, the worker carries it
// out. It crosses the process boundary encoded (Encode, DecodeRequest).
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
	// Root is the absolute folder every path of Action is relative to.
	Root   string
	Action *Action
}

// Encode returns the binary form of r, for DecodeRequest. Both ends are
// the same binary, so gob's self-description is only a safety net.
func (r *Request) Encode() []byte {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(r); err != nil {
		panic(fmt.Sprintf("remote: encode request: %v", err)) // only plain data: cannot fail
	}
	return b.Bytes()
}

// DecodeRequest decodes a Request encoded by Encode.
func DecodeRequest(b []byte) (*Request, error) {
	var r Request
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&r); err != nil {
		return nil, fmt.Errorf("decode remote request: %w", err)
	}
	if r.Action == nil {
		return nil, fmt.Errorf("decode remote request: no action")
	}
	return &r, nil
}
