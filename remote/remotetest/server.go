// Package remotetest is an in-memory REAPI v2 server for tests: a
// content-addressable store, an action cache, ByteStream, capabilities and
// an Execution service that runs commands on this machine in a scratch
// folder with only the Command's environment (as Buildbarn's runner does).
// It checks what clients upload against its digests, and lets a test
// poison an entry or slow the server down.
package remotetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Options configure a Server.
type Options struct {
	// Exec enables the Execution service.
	Exec bool
	// TCP listens on 127.0.0.1 instead of a unix socket.
	TCP bool
	// TLS serves grpcs:// with a certificate made for the test; the
	// server's CAFile trusts it. Implies TCP.
	TLS bool
	// Header, if set as NAME=VALUE, is required on every call.
	Header string
	// Dir holds the socket and the execution folders (default: a new
	// temporary folder, removed by Close).
	Dir string
	// MaxBatch is the advertised batch limit (default 4 MiB).
	MaxBatch int64
}

// Server is a running in-memory REAPI server.
type Server struct {
	// Endpoint is the address clients use (unix:PATH, grpc:// or grpcs://).
	Endpoint string
	// CAFile trusts the certificate of a TLS server.
	CAFile string

	// Counters of what clients asked.
	Lookups, Hits, Updates, Executions atomic.Int64

	opts    Options
	dir     string
	ownDir  bool
	gs      *grpc.Server
	delay   atomic.Int64 // nanoseconds each call waits first
	mu      sync.Mutex
	blobs   map[string][]byte             // by "hash/size"
	results map[string]*repb.ActionResult // by action "hash/size"
}

// Start starts a server.
func Start(opts Options) (*Server, error) {
	s := &Server{opts: opts, blobs: map[string][]byte{}, results: map[string]*repb.ActionResult{}}
	s.dir = opts.Dir
	if s.dir == "" {
		d, err := os.MkdirTemp("", "remotetest-")
		if err != nil {
			return nil, err
		}
		s.dir, s.ownDir = d, true
	}
	var lis net.Listener
	var err error
	var sopts []grpc.ServerOption
	switch {
	case opts.TLS:
		cert, caFile, cerr := selfSigned(s.dir)
		if cerr != nil {
			return nil, cerr
		}
		s.CAFile = caFile
		sopts = append(sopts, grpc.Creds(credentials.NewServerTLSFromCert(&cert)))
		fallthrough
	case opts.TCP:
		lis, err = net.Listen("tcp", "127.0.0.1:0")
		scheme := "grpc"
		if opts.TLS {
			scheme = "grpcs"
		}
		if err == nil {
			s.Endpoint = fmt.Sprintf("%s://localhost:%d", scheme, lis.Addr().(*net.TCPAddr).Port)
		}
	default:
		sock := filepath.Join(s.dir, "reapi.sock")
		lis, err = net.Listen("unix", sock)
		s.Endpoint = "unix:" + sock
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	sopts = append(sopts, grpc.MaxRecvMsgSize(64<<20), grpc.MaxSendMsgSize(64<<20),
		grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			if err := s.admit(ctx); err != nil {
				return nil, err
			}
			return h(ctx, req)
		}),
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := s.admit(ss.Context()); err != nil {
				return err
			}
			return h(srv, ss)
		}))
	s.gs = grpc.NewServer(sopts...)
	repb.RegisterCapabilitiesServer(s.gs, capabilities{s})
	repb.RegisterContentAddressableStorageServer(s.gs, cas{s})
	repb.RegisterActionCacheServer(s.gs, actionCache{s})
	bytestream.RegisterByteStreamServer(s.gs, byteStream{s})
	if opts.Exec {
		repb.RegisterExecutionServer(s.gs, execution{s})
	}
	go s.gs.Serve(lis)
	return s, nil
}

// Close stops the server and removes its folder if it made it.
func (s *Server) Close() {
	if s.gs != nil {
		s.gs.Stop()
	}
	if s.ownDir {
		os.RemoveAll(s.dir)
	}
}

// SetDelay makes every later call wait d before it is served (a slow
// server).
func (s *Server) SetDelay(d time.Duration) { s.delay.Store(int64(d)) }

// admit applies the delay and checks the required header.
func (s *Server) admit(ctx context.Context) error {
	if d := time.Duration(s.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if s.opts.Header == "" {
		return nil
	}
	name, value, _ := strings.Cut(s.opts.Header, "=")
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get(name) {
		if v == value {
			return nil
		}
	}
	return status.Errorf(codes.Unauthenticated, "header %s required", name)
}

func key(d *repb.Digest) string { return fmt.Sprintf("%s/%d", d.GetHash(), d.GetSizeBytes()) }

// DigestOf returns the SHA-256 digest of b.
func DigestOf(b []byte) *repb.Digest {
	h := sha256.Sum256(b)
	return &repb.Digest{Hash: hex.EncodeToString(h[:]), SizeBytes: int64(len(b))}
}

// Put stores data in the CAS and returns its digest.
func (s *Server) Put(data []byte) *repb.Digest {
	d := DigestOf(data)
	s.mu.Lock()
	s.blobs[key(d)] = append([]byte(nil), data...)
	s.mu.Unlock()
	return d
}

// Poison replaces the bytes of blob d by data, which do not match d: what
// a damaged disk or a hostile proxy would serve.
func (s *Server) Poison(d *repb.Digest, data []byte) {
	s.mu.Lock()
	s.blobs[key(d)] = data
	s.mu.Unlock()
}

// Blob returns blob d, if stored.
func (s *Server) Blob(d *repb.Digest) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blobs[key(d)]
	return b, ok
}

// Results returns the action cache: action digest "hash/size" -> result.
func (s *Server) Results() map[string]*repb.ActionResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]*repb.ActionResult, len(s.results))
	for k, v := range s.results {
		out[k] = proto.Clone(v).(*repb.ActionResult)
	}
	return out
}

// SetResult stores res as the result of the action with digest key
// ("hash/size"), bypassing every check.
func (s *Server) SetResult(key string, res *repb.ActionResult) {
	s.mu.Lock()
	s.results[key] = res
	s.mu.Unlock()
}

// ClearResults empties the action cache.
func (s *Server) ClearResults() {
	s.mu.Lock()
	s.results = map[string]*repb.ActionResult{}
	s.mu.Unlock()
}

// get returns blob d; the empty blob is always there, as REAPI requires.
func (s *Server) get(d *repb.Digest) ([]byte, bool) {
	if d.GetSizeBytes() == 0 {
		return nil, true
	}
	return s.Blob(d)
}

type capabilities struct{ s *Server }

func (c capabilities) GetCapabilities(context.Context, *repb.GetCapabilitiesRequest) (*repb.ServerCapabilities, error) {
	batch := c.s.opts.MaxBatch
	if batch == 0 {
		batch = 4 << 20
	}
	caps := &repb.ServerCapabilities{
		CacheCapabilities: &repb.CacheCapabilities{
			DigestFunctions:               []repb.DigestFunction_Value{repb.DigestFunction_SHA256},
			ActionCacheUpdateCapabilities: &repb.ActionCacheUpdateCapabilities{UpdateEnabled: true},
			MaxBatchTotalSizeBytes:        batch,
		},
	}
	if c.s.opts.Exec {
		caps.ExecutionCapabilities = &repb.ExecutionCapabilities{
			DigestFunction: repb.DigestFunction_SHA256, ExecEnabled: true,
			DigestFunctions: []repb.DigestFunction_Value{repb.DigestFunction_SHA256},
		}
	}
	return caps, nil
}

type cas struct{ s *Server }

func (c cas) FindMissingBlobs(_ context.Context, req *repb.FindMissingBlobsRequest) (*repb.FindMissingBlobsResponse, error) {
	resp := &repb.FindMissingBlobsResponse{}
	for _, d := range req.BlobDigests {
		if _, ok := c.s.get(d); !ok {
			resp.MissingBlobDigests = append(resp.MissingBlobDigests, d)
		}
	}
	return resp, nil
}

func (c cas) BatchUpdateBlobs(_ context.Context, req *repb.BatchUpdateBlobsRequest) (*repb.BatchUpdateBlobsResponse, error) {
	resp := &repb.BatchUpdateBlobsResponse{}
	for _, r := range req.Requests {
		st := &repb.BatchUpdateBlobsResponse_Response{Digest: r.Digest}
		if key(DigestOf(r.Data)) != key(r.Digest) {
			st.Status = status.New(codes.InvalidArgument, "the data does not match the digest").Proto()
		} else {
			c.s.Put(r.Data)
			st.Status = status.New(codes.OK, "").Proto()
		}
		resp.Responses = append(resp.Responses, st)
	}
	return resp, nil
}

func (c cas) BatchReadBlobs(_ context.Context, req *repb.BatchReadBlobsRequest) (*repb.BatchReadBlobsResponse, error) {
	resp := &repb.BatchReadBlobsResponse{}
	for _, d := range req.Digests {
		r := &repb.BatchReadBlobsResponse_Response{Digest: d}
		if b, ok := c.s.get(d); ok {
			r.Data, r.Status = b, status.New(codes.OK, "").Proto()
		} else {
			r.Status = status.New(codes.NotFound, "no such blob").Proto()
		}
		resp.Responses = append(resp.Responses, r)
	}
	return resp, nil
}

func (c cas) GetTree(*repb.GetTreeRequest, repb.ContentAddressableStorage_GetTreeServer) error {
	return status.Error(codes.Unimplemented, "GetTree")
}

func (c cas) SplitBlob(context.Context, *repb.SplitBlobRequest) (*repb.SplitBlobResponse, error) {
	return nil, status.Error(codes.Unimplemented, "SplitBlob")
}

func (c cas) SpliceBlob(context.Context, *repb.SpliceBlobRequest) (*repb.SpliceBlobResponse, error) {
	return nil, status.Error(codes.Unimplemented, "SpliceBlob")
}

type actionCache struct{ s *Server }

func (a actionCache) GetActionResult(_ context.Context, req *repb.GetActionResultRequest) (*repb.ActionResult, error) {
	a.s.Lookups.Add(1)
	a.s.mu.Lock()
	res, ok := a.s.results[key(req.ActionDigest)]
	a.s.mu.Unlock()
	if !ok {
		return nil, status.Error(codes.NotFound, "no result")
	}
	a.s.Hits.Add(1)
	return res, nil
}

func (a actionCache) UpdateActionResult(_ context.Context, req *repb.UpdateActionResultRequest) (*repb.ActionResult, error) {
	// Like bazel-remote and Buildbarn's completeness checking, refuse a
	// result whose blobs are missing.
	for _, f := range req.ActionResult.OutputFiles {
		if _, ok := a.s.get(f.Digest); !ok && f.Digest.GetSizeBytes() > 0 {
			return nil, status.Errorf(codes.FailedPrecondition, "output %s: blob missing", f.Path)
		}
	}
	a.s.Updates.Add(1)
	a.s.SetResult(key(req.ActionDigest), req.ActionResult)
	return req.ActionResult, nil
}

type byteStream struct{ s *Server }

// blobName finds "blobs/HASH/SIZE" in a resource name.
func blobName(name string) (*repb.Digest, error) {
	parts := strings.Split(name, "/")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] == "blobs" {
			var size int64
			if _, err := fmt.Sscan(parts[i+2], &size); err != nil {
				break
			}
			return &repb.Digest{Hash: parts[i+1], SizeBytes: size}, nil
		}
	}
	return nil, status.Errorf(codes.InvalidArgument, "bad resource name %q", name)
}

func (b byteStream) Read(req *bytestream.ReadRequest, srv bytestream.ByteStream_ReadServer) error {
	d, err := blobName(req.ResourceName)
	if err != nil {
		return err
	}
	data, ok := b.s.get(d)
	if !ok {
		return status.Error(codes.NotFound, "no such blob")
	}
	for off := int64(0); off < int64(len(data)); off += 1 << 20 {
		end := min(off+1<<20, int64(len(data)))
		if err := srv.Send(&bytestream.ReadResponse{Data: data[off:end]}); err != nil {
			return err
		}
	}
	return nil
}

func (b byteStream) Write(srv bytestream.ByteStream_WriteServer) error {
	var name string
	var data []byte
	for {
		req, err := srv.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if name == "" {
			name = req.ResourceName
		}
		data = append(data, req.Data...)
		if req.FinishWrite {
			break
		}
	}
	d, err := blobName(name)
	if err != nil {
		return err
	}
	if key(DigestOf(data)) != key(d) {
		return status.Error(codes.InvalidArgument, "the data does not match the digest")
	}
	b.s.Put(data)
	return srv.SendAndClose(&bytestream.WriteResponse{CommittedSize: int64(len(data))})
}

func (b byteStream) QueryWriteStatus(context.Context, *bytestream.QueryWriteStatusRequest) (*bytestream.QueryWriteStatusResponse, error) {
	return nil, status.Error(codes.Unimplemented, "QueryWriteStatus")
}

// errMissing is an input the client did not upload.
var errMissing = errors.New("missing blob")
