// Package reapi speaks the Bazel Remote Execution API v2 (REAPI, gRPC) to
// a shared cache or build farm (bazel-remote, Buildbarn, BuildBuddy,
// NativeLink, Buildfarm): deterministic actions and their input trees, the
// content-addressable store, the action cache and remote execution; and it
// is the task of gobuildj-remote's workers (task.go). It is a thin layer
// over the API's generated code: it registers no flags and writes no logs.
// Only gobuildj-remote links it (see package remote).
package reapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/gobuildj/gobuildj/remote"
)

const (
	// maxMessageSize bounds a gRPC message either way.
	maxMessageSize = 64 << 20
	// defaultBatchSize is the batch limit when the server gives none.
	defaultBatchSize = 4 << 20
	// batchOverhead is what a batch request spends besides the blobs
	// themselves (digests, framing), kept out of the limit.
	batchOverhead = 64 << 10
	// chunkSize is the size of a ByteStream message.
	chunkSize = 1 << 20
)

// Client talks to one REAPI server over one connection. It is safe for
// concurrent use; its connection is opened lazily by the first call and a
// dead server is reported by each call's error, never by Dial.
type Client struct {
	cfg  remote.Config
	conn *grpc.ClientConn
	cas  repb.ContentAddressableStorageClient
	ac   repb.ActionCacheClient
	exe  repb.ExecutionClient
	caps repb.CapabilitiesClient
	bs   bytestream.ByteStreamClient

	capsMu  sync.Mutex
	checked bool
	batch   int64 // largest batch of blobs, in bytes
	canExec bool
}

// Dial returns a client of cfg's server. It fails only on a bad
// configuration; the connection itself is made by the first call.
func Dial(cfg remote.Config) (*Client, error) {
	ep, err := remote.ParseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	for _, h := range cfg.Headers {
		if msg := remote.CheckHeader(h); msg != "" {
			return nil, errors.New("header " + msg)
		}
	}
	if msg := cfg.CheckCredentials(); msg != "" {
		return nil, errors.New(msg)
	}
	opts, err := dialOptions(&cfg, ep)
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(ep.Target, opts...)
	if err != nil {
		return nil, fmt.Errorf("remote %s: %w", cfg.Endpoint, err)
	}
	return &Client{
		cfg:  cfg,
		conn: conn,
		cas:  repb.NewContentAddressableStorageClient(conn),
		ac:   repb.NewActionCacheClient(conn),
		exe:  repb.NewExecutionClient(conn),
		caps: repb.NewCapabilitiesClient(conn),
		bs:   bytestream.NewByteStreamClient(conn),
	}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// dialOptions are the options of a connection to cfg's server.
func dialOptions(cfg *remote.Config, ep remote.Endpoint) ([]grpc.DialOption, error) {
	creds := insecure.NewCredentials()
	if ep.TLS {
		tc := &tls.Config{ServerName: ep.Host, MinVersion: tls.VersionTLS12}
		if cfg.TLSCA != "" {
			pem, err := os.ReadFile(cfg.TLSCA)
			if err != nil {
				return nil, fmt.Errorf("TLS certificate authorities: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("TLS certificate authorities: no PEM certificate in %s", cfg.TLSCA)
			}
			tc.RootCAs = pool
		}
		if cfg.TLSCert != "" {
			cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
			if err != nil {
				return nil, fmt.Errorf("TLS client certificate: %w", err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		creds = credentials.NewTLS(tc)
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessageSize), grpc.MaxCallSendMsgSize(maxMessageSize)),
	}
	if md := cfg.Metadata(); len(md) > 0 {
		opts = append(opts,
			grpc.WithUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, o ...grpc.CallOption) error {
				return invoker(metadata.AppendToOutgoingContext(ctx, md...), method, req, reply, cc, o...)
			}),
			grpc.WithStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, o ...grpc.CallOption) (grpc.ClientStream, error) {
				return streamer(metadata.AppendToOutgoingContext(ctx, md...), desc, cc, method, o...)
			}))
	}
	return opts, nil
}

// call returns a context bounded by the client's timeout, scaled up for a
// transfer of size bytes (at least 1 MB/s is expected).
func (c *Client) call(ctx context.Context, size int64) (context.Context, context.CancelFunc) {
	d := c.cfg.CallTimeout() + time.Duration(size/(1<<20))*time.Second
	return context.WithTimeout(ctx, d)
}

// Check asks the server's capabilities once and fails unless it speaks
// SHA-256 (and, if exec is set, executes actions).
func (c *Client) Check(ctx context.Context, exec bool) error {
	c.capsMu.Lock()
	defer c.capsMu.Unlock()
	if !c.checked {
		cctx, cancel := c.call(ctx, 0)
		defer cancel()
		caps, err := c.caps.GetCapabilities(cctx, &repb.GetCapabilitiesRequest{InstanceName: c.cfg.Instance})
		if err != nil {
			return fmt.Errorf("capabilities: %w", err)
		}
		cc := caps.GetCacheCapabilities()
		if fns := cc.GetDigestFunctions(); len(fns) > 0 && !containsSHA256(fns) {
			return fmt.Errorf("the server does not accept SHA-256 digests (it lists %v)", fns)
		}
		c.batch = cc.GetMaxBatchTotalSizeBytes()
		if c.batch <= 0 {
			c.batch = defaultBatchSize
		}
		c.batch = min(c.batch, maxMessageSize)
		ec := caps.GetExecutionCapabilities()
		c.canExec = ec.GetExecEnabled() && (ec.GetDigestFunction() == repb.DigestFunction_SHA256 ||
			ec.GetDigestFunction() == repb.DigestFunction_UNKNOWN || containsSHA256(ec.GetDigestFunctions()))
		c.checked = true
	}
	if exec && !c.canExec {
		return errors.New("the server does not execute actions (its capabilities have no SHA-256 execution)")
	}
	return nil
}

func containsSHA256(fns []repb.DigestFunction_Value) bool {
	for _, f := range fns {
		if f == repb.DigestFunction_SHA256 {
			return true
		}
	}
	return false
}

// batchLimit is the largest blob sent or read in a batch; larger ones go
// through ByteStream.
func (c *Client) batchLimit() int64 {
	c.capsMu.Lock()
	defer c.capsMu.Unlock()
	if c.batch <= 0 {
		return defaultBatchSize - batchOverhead
	}
	return max(c.batch-batchOverhead, c.batch/2)
}

// FindMissing returns the digests of ds that the store lacks.
func (c *Client) FindMissing(ctx context.Context, ds []Digest) ([]Digest, error) {
	seen := map[Digest]bool{}
	req := &repb.FindMissingBlobsRequest{InstanceName: c.cfg.Instance, DigestFunction: repb.DigestFunction_SHA256}
	for _, d := range ds {
		if !seen[d] && d != emptyDigest {
			seen[d] = true
			req.BlobDigests = append(req.BlobDigests, ToProto(d))
		}
	}
	if len(req.BlobDigests) == 0 {
		return nil, nil
	}
	cctx, cancel := c.call(ctx, 0)
	defer cancel()
	resp, err := c.cas.FindMissingBlobs(cctx, req)
	if err != nil {
		return nil, fmt.Errorf("find missing blobs: %w", err)
	}
	missing := make([]Digest, 0, len(resp.MissingBlobDigests))
	for _, p := range resp.MissingBlobDigests {
		d, err := FromProto(p)
		if err != nil {
			return nil, fmt.Errorf("find missing blobs: %w", err)
		}
		missing = append(missing, d)
	}
	return missing, nil
}

// Blob is a blob to upload: its bytes, or the file that holds them.
type Blob struct {
	Digest Digest
	Data   []byte // nil: read Path
	Path   string
}

// Upload stores the blobs that the store lacks: small ones in batches,
// large ones through ByteStream. A file that no longer has the digest it
// was given fails the upload.
func (c *Client) Upload(ctx context.Context, blobs []Blob) error {
	ds := make([]Digest, len(blobs))
	for i, b := range blobs {
		ds[i] = b.Digest
	}
	missing, err := c.FindMissing(ctx, ds)
	if err != nil {
		return err
	}
	want := make(map[Digest]bool, len(missing))
	for _, d := range missing {
		want[d] = true
	}
	limit := c.batchLimit()
	var batch []*repb.BatchUpdateBlobsRequest_Request
	var size int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := c.updateBatch(ctx, batch, size)
		batch, size = nil, 0
		return err
	}
	for _, b := range blobs {
		if !want[b.Digest] {
			continue
		}
		delete(want, b.Digest)
		if b.Digest.Size > limit {
			if err := c.write(ctx, b); err != nil {
				return err
			}
			continue
		}
		data := b.Data
		if data == nil {
			if data, err = os.ReadFile(b.Path); err != nil {
				return fmt.Errorf("upload: %w", err)
			}
		}
		if err := verify(b.Digest, data); err != nil {
			return fmt.Errorf("upload %s: it changed since it was hashed: %w", b.Path, err)
		}
		if size+b.Digest.Size > limit {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, &repb.BatchUpdateBlobsRequest_Request{Digest: ToProto(b.Digest), Data: data})
		size += b.Digest.Size
	}
	return flush()
}

func (c *Client) updateBatch(ctx context.Context, reqs []*repb.BatchUpdateBlobsRequest_Request, size int64) error {
	cctx, cancel := c.call(ctx, size)
	defer cancel()
	resp, err := c.cas.BatchUpdateBlobs(cctx, &repb.BatchUpdateBlobsRequest{
		InstanceName: c.cfg.Instance, Requests: reqs, DigestFunction: repb.DigestFunction_SHA256,
	})
	if err != nil {
		return fmt.Errorf("upload blobs: %w", err)
	}
	for _, r := range resp.Responses {
		if s := status.FromProto(r.Status); s.Code() != codes.OK {
			return fmt.Errorf("upload blob %s/%d: %w", r.Digest.GetHash(), r.Digest.GetSizeBytes(), s.Err())
		}
	}
	return nil
}

// write uploads one blob through ByteStream.Write.
func (c *Client) write(ctx context.Context, b Blob) error {
	var r io.Reader
	if b.Data != nil {
		r = bytes.NewReader(b.Data)
	} else {
		f, err := os.Open(b.Path)
		if err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		defer f.Close()
		r = f
	}
	cctx, cancel := c.call(ctx, b.Digest.Size)
	defer cancel()
	stream, err := c.bs.Write(cctx)
	if err != nil {
		return fmt.Errorf("upload %s: %w", b.Digest, err)
	}
	name := c.resource(fmt.Sprintf("uploads/%s/blobs/%s", uuid(), b.Digest))
	h := sha256.New()
	buf := make([]byte, chunkSize)
	var off int64
	for {
		n, rerr := io.ReadFull(r, buf)
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			return fmt.Errorf("upload %s: %w", b.Path, rerr)
		}
		h.Write(buf[:n])
		last := off+int64(n) >= b.Digest.Size || rerr != nil
		req := &bytestream.WriteRequest{WriteOffset: off, Data: buf[:n], FinishWrite: last}
		if off == 0 {
			req.ResourceName = name
		}
		if err := stream.Send(req); err != nil {
			if err == io.EOF { // the server already has it
				break
			}
			return fmt.Errorf("upload %s: %w", b.Digest, err)
		}
		off += int64(n)
		if last {
			if off != b.Digest.Size || string(h.Sum(nil)) != string(b.Digest.Hash[:]) {
				return fmt.Errorf("upload %s: it changed since it was hashed", b.Path)
			}
			break
		}
	}
	if _, err := stream.CloseAndRecv(); err != nil {
		return fmt.Errorf("upload %s: %w", b.Digest, err)
	}
	return nil
}

// resource prefixes a ByteStream resource name with the instance name.
func (c *Client) resource(name string) string {
	if c.cfg.Instance == "" {
		return name
	}
	return c.cfg.Instance + "/" + name
}

// Read returns the blob d, checked against its digest.
func (c *Client) Read(ctx context.Context, d Digest) ([]byte, error) {
	if d.Size == 0 {
		return nil, verify(d, nil)
	}
	if d.Size > c.batchLimit() {
		var data []byte
		err := c.stream(ctx, d, func(p []byte) error { data = append(data, p...); return nil })
		if err != nil {
			return nil, err
		}
		return data, verify(d, data)
	}
	got, err := c.ReadBatch(ctx, []Digest{d})
	if err != nil {
		return nil, err
	}
	return got[d], nil
}

// ReadBatch returns the blobs ds (each no larger than the batch limit), each
// checked against its digest.
func (c *Client) ReadBatch(ctx context.Context, ds []Digest) (map[Digest][]byte, error) {
	out := make(map[Digest][]byte, len(ds))
	limit := c.batchLimit()
	var batch []*repb.Digest
	var size int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		cctx, cancel := c.call(ctx, size)
		defer cancel()
		resp, err := c.cas.BatchReadBlobs(cctx, &repb.BatchReadBlobsRequest{
			InstanceName: c.cfg.Instance, Digests: batch, DigestFunction: repb.DigestFunction_SHA256,
		})
		batch, size = nil, 0
		if err != nil {
			return fmt.Errorf("read blobs: %w", err)
		}
		for _, r := range resp.Responses {
			d, err := FromProto(r.Digest)
			if err != nil {
				return fmt.Errorf("read blobs: %w", err)
			}
			if s := status.FromProto(r.Status); s.Code() != codes.OK {
				return fmt.Errorf("read blob %s: %w", d, s.Err())
			}
			if err := verify(d, r.Data); err != nil {
				return err
			}
			out[d] = r.Data
		}
		return nil
	}
	for _, d := range ds {
		if _, ok := out[d]; ok {
			continue
		}
		if d.Size == 0 {
			if err := verify(d, nil); err != nil {
				return nil, err
			}
			out[d] = nil
			continue
		}
		if size+d.Size > limit {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		batch = append(batch, ToProto(d))
		size += d.Size
	}
	if err := flush(); err != nil {
		return nil, err
	}
	for _, d := range ds {
		if _, ok := out[d]; !ok {
			return nil, fmt.Errorf("read blob %s: %w", d, status.Error(codes.NotFound, "the server did not return it"))
		}
	}
	return out, nil
}

// ReadToFile writes the blob d into a new file at path (mode perm), checked
// against its digest as it streams; a blob that does not match leaves no
// file.
func (c *Client) ReadToFile(ctx context.Context, d Digest, path string, perm os.FileMode) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	h := sha256.New()
	var n int64
	err = c.stream(ctx, d, func(p []byte) error {
		h.Write(p)
		n += int64(len(p))
		_, err := f.Write(p)
		return err
	})
	if err != nil {
		return err
	}
	if n != d.Size || string(h.Sum(nil)) != string(d.Hash[:]) {
		return &CorruptError{Digest: d, Why: "the streamed bytes have another SHA-256 or size"}
	}
	return nil
}

// stream reads blob d through ByteStream.Read.
func (c *Client) stream(ctx context.Context, d Digest, each func([]byte) error) error {
	cctx, cancel := c.call(ctx, d.Size)
	defer cancel()
	rs, err := c.bs.Read(cctx, &bytestream.ReadRequest{ResourceName: c.resource("blobs/" + d.String())})
	if err != nil {
		return fmt.Errorf("read blob %s: %w", d, err)
	}
	var n int64
	for {
		resp, err := rs.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read blob %s: %w", d, err)
		}
		if n += int64(len(resp.Data)); n > d.Size {
			return &CorruptError{Digest: d, Why: "the server sent more bytes than the digest's size"}
		}
		if err := each(resp.Data); err != nil {
			return fmt.Errorf("read blob %s: %w", d, err)
		}
	}
}

// GetActionResult returns the cached result of action d, or found=false if
// there is none.
func (c *Client) GetActionResult(ctx context.Context, d Digest) (res *repb.ActionResult, found bool, err error) {
	cctx, cancel := c.call(ctx, 0)
	defer cancel()
	res, err = c.ac.GetActionResult(cctx, &repb.GetActionResultRequest{
		InstanceName: c.cfg.Instance, ActionDigest: ToProto(d), InlineStdout: true, InlineStderr: true,
		DigestFunction: repb.DigestFunction_SHA256,
	})
	if status.Code(err) == codes.NotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("action cache: %w", err)
	}
	return res, true, nil
}

// UpdateActionResult stores res as the result of action d. Its blobs must
// be uploaded first, so that no reader finds an entry whose blobs are
// missing.
func (c *Client) UpdateActionResult(ctx context.Context, d Digest, res *repb.ActionResult) error {
	cctx, cancel := c.call(ctx, 0)
	defer cancel()
	_, err := c.ac.UpdateActionResult(cctx, &repb.UpdateActionResultRequest{
		InstanceName: c.cfg.Instance, ActionDigest: ToProto(d), ActionResult: res,
		DigestFunction: repb.DigestFunction_SHA256,
	})
	if err != nil {
		return fmt.Errorf("update action cache: %w", err)
	}
	return nil
}

// uuid returns a random version-4 UUID, as ByteStream upload names want.
func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
