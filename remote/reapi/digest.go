package reapi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/remote"
)

// Digest is remote.Digest: SHA-256 and size.
type Digest = remote.Digest

// DigestFile returns the digest of the file at path, which must be a
// regular file (a FIFO or a device is refused, never read).
func DigestFile(path string) (Digest, error) {
	f, _, err := fileid.OpenRegular(path)
	if err != nil {
		return Digest{}, fmt.Errorf("sha256: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Digest{}, fmt.Errorf("sha256 %s: %w", path, err)
	}
	var d Digest
	h.Sum(d.Hash[:0])
	d.Size = n
	return d, nil
}

// ToProto returns the wire form of d.
func ToProto(d Digest) *repb.Digest {
	return &repb.Digest{Hash: hex.EncodeToString(d.Hash[:]), SizeBytes: d.Size}
}

// FromProto checks and converts a digest received from a server: 64
// lowercase hex digits and a size that is not negative.
func FromProto(p *repb.Digest) (Digest, error) {
	var d Digest
	if p == nil {
		return d, fmt.Errorf("missing digest")
	}
	if len(p.Hash) != 2*sha256.Size || p.SizeBytes < 0 {
		return d, fmt.Errorf("invalid digest %q/%d (expected 64 hex digits of SHA-256 and a size)", p.Hash, p.SizeBytes)
	}
	if _, err := hex.Decode(d.Hash[:], []byte(p.Hash)); err != nil {
		return d, fmt.Errorf("invalid digest %q: %w", p.Hash, err)
	}
	d.Size = p.SizeBytes
	return d, nil
}

// emptyDigest is the digest of no bytes: a blob every store has.
var emptyDigest = remote.DigestOf(nil)

// marshal serializes m deterministically (map entries sorted), so that the
// same message always has the same digest.
func marshal(m proto.Message) ([]byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", m, err)
	}
	return b, nil
}

// verify checks that data is the blob d names.
func verify(d Digest, data []byte) error {
	if int64(len(data)) != d.Size {
		return &CorruptError{Digest: d, Why: fmt.Sprintf("got %d bytes", len(data))}
	}
	if sha256.Sum256(data) != d.Hash {
		return &CorruptError{Digest: d, Why: "the bytes have another SHA-256"}
	}
	return nil
}

// CorruptError is a blob or entry from the server that is not what it claims
// to be: bytes that do not match their digest, or an action result that
// names paths outside the target's outputs. The build does not trust it and
// runs the command locally instead.
type CorruptError struct {
	Digest Digest
	Why    string
}

func (e *CorruptError) Error() string {
	if e.Digest == (Digest{}) {
		return "corrupt cache entry: " + e.Why
	}
	return fmt.Sprintf("corrupt blob %s: %s", e.Digest, e.Why)
}
