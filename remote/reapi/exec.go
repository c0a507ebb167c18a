package reapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	longrunningpb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gobuildj/gobuildj/remote"
)

// ErrRemoteTimeout is wrapped by the error of an execution that the server
// stopped because it exceeded the action's timeout: the target failed, the
// infrastructure did not.
var ErrRemoteTimeout = errors.New("the action timed out on the remote worker")

// Executed is the outcome of a remote execution.
type Executed struct {
	Result *repb.ActionResult
	// Cached is set when the server answered from its action cache.
	Cached bool
	// Message is what the server said about the execution, if anything.
	Message string
}

// Upload sends what a needs to run remotely and that the store lacks: the
// Action, the Command, every Directory of the input tree and the input
// files (read from under root).
func (c *Client) UploadInputs(ctx context.Context, root string, a *Action) error {
	blobs := []Blob{{Digest: a.Digest, Data: a.Action}, {Digest: a.CommandDigest, Data: a.Command}}
	for _, d := range a.Dirs {
		blobs = append(blobs, Blob{Digest: remote.DigestOf(d), Data: d})
	}
	for _, in := range a.Inputs {
		blobs = append(blobs, Blob{Digest: in.Digest, Path: filepath.Join(root, in.Path)})
	}
	return c.Upload(ctx, blobs)
}

// Execute runs action a on the server's Execution service and waits for
// it: the inputs are uploaded first, and a stream that breaks is resumed
// with WaitExecution. A result with a non-zero exit code is not an error.
func (c *Client) Execute(ctx context.Context, root string, a *Action) (*Executed, error) {
	if err := c.UploadInputs(ctx, root, a); err != nil {
		return nil, err
	}
	// The server bounds the run with the action's timeout; the client
	// only adds a deadline when there is one, with room for queueing.
	if a.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 2*a.Timeout+c.cfg.CallTimeout())
		defer cancel()
	}
	stream, err := c.exe.Execute(ctx, &repb.ExecuteRequest{
		InstanceName: c.cfg.Instance, ActionDigest: ToProto(a.Digest), DigestFunction: repb.DigestFunction_SHA256,
	})
	if err != nil {
		return nil, fmt.Errorf("execute: %w", err)
	}
	name := ""
	for retries := 0; ; {
		op, err := recvDone(stream)
		if err == nil {
			return executed(op)
		}
		if ctx.Err() != nil || name == "" && op == nil && !resumable(err) || retries >= 3 {
			return nil, fmt.Errorf("execute: %w", err)
		}
		if op != nil {
			name = op.Name
		}
		if name == "" {
			return nil, fmt.Errorf("execute: %w", err)
		}
		retries++
		ws, werr := c.exe.WaitExecution(ctx, &repb.WaitExecutionRequest{Name: name})
		if werr != nil {
			return nil, fmt.Errorf("wait for execution %s: %w", name, werr)
		}
		stream = ws
	}
}

// opStream is what Execute and WaitExecution both return.
type opStream interface {
	Recv() (*longrunningpb.Operation, error)
}

// recvDone reads operations until one is done. On an error it returns the
// last operation seen, whose name resumes the wait.
func recvDone(s opStream) (*longrunningpb.Operation, error) {
	var last *longrunningpb.Operation
	for {
		op, err := s.Recv()
		if err == io.EOF {
			return last, status.Error(codes.Unavailable, "the stream ended before the execution finished")
		}
		if err != nil {
			return last, err
		}
		last = op
		if op.Done {
			return op, nil
		}
	}
}

func resumable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.Internal, codes.Aborted:
		return true
	}
	return false
}

// executed turns a finished operation into its outcome.
func executed(op *longrunningpb.Operation) (*Executed, error) {
	if e := op.GetError(); e != nil {
		return nil, fmt.Errorf("execute: %w", status.FromProto(e).Err())
	}
	var resp repb.ExecuteResponse
	if err := op.GetResponse().UnmarshalTo(&resp); err != nil {
		return nil, fmt.Errorf("execute: the response is not an ExecuteResponse: %w", err)
	}
	if s := status.FromProto(resp.Status); s.Code() != codes.OK {
		if s.Code() == codes.DeadlineExceeded {
			return &Executed{Result: resp.Result, Message: resp.Message}, fmt.Errorf("%w: %s", ErrRemoteTimeout, s.Message())
		}
		return nil, fmt.Errorf("execute: %w", s.Err())
	}
	if resp.Result == nil {
		return nil, errors.New("execute: the response has no result")
	}
	return &Executed{Result: resp.Result, Cached: resp.CachedResult, Message: resp.Message}, nil
}
