package remotetest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	longrunningpb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

type execution struct{ s *Server }

// Execute runs the action here, in a scratch folder laid out from the CAS,
// with only the Command's environment, and answers in one stream message.
func (e execution) Execute(req *repb.ExecuteRequest, srv repb.Execution_ExecuteServer) error {
	e.s.Executions.Add(1)
	resp := &repb.ExecuteResponse{Status: status.New(codes.OK, "").Proto()}
	e.s.mu.Lock()
	cached, ok := e.s.results[key(req.ActionDigest)]
	e.s.mu.Unlock()
	if ok && !req.SkipCacheLookup {
		resp.Result, resp.CachedResult = cached, true
	} else {
		res, err := e.s.run(req.ActionDigest)
		if err != nil {
			return err
		}
		resp.Result = res
		if res.ExitCode == 0 {
			e.s.SetResult(key(req.ActionDigest), res)
		}
	}
	any, err := anypb.New(resp)
	if err != nil {
		return err
	}
	return srv.Send(&longrunningpb.Operation{
		Name: "operations/" + req.ActionDigest.GetHash(), Done: true,
		Result: &longrunningpb.Operation_Response{Response: any},
	})
}

func (e execution) WaitExecution(*repb.WaitExecutionRequest, repb.Execution_WaitExecutionServer) error {
	return status.Error(codes.NotFound, "operations finish in their Execute stream")
}

// run executes the action with digest ad.
func (s *Server) run(ad *repb.Digest) (*repb.ActionResult, error) {
	var action repb.Action
	var cmd repb.Command
	if err := s.decode(ad, &action); err != nil {
		return nil, err
	}
	if err := s.decode(action.CommandDigest, &cmd); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(s.dir, "exec-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := s.layOut(action.InputRootDigest, dir); err != nil {
		return nil, err
	}
	for _, o := range cmd.OutputPaths {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, cmd.WorkingDirectory, o)), 0o755); err != nil {
			return nil, err
		}
	}
	if len(cmd.Arguments) == 0 {
		return nil, status.Error(codes.InvalidArgument, "no arguments")
	}
	c := exec.Command(cmd.Arguments[0], cmd.Arguments[1:]...)
	c.Dir = filepath.Join(dir, cmd.WorkingDirectory)
	c.Env = []string{}
	for _, ev := range cmd.EnvironmentVariables {
		c.Env = append(c.Env, ev.Name+"="+ev.Value)
	}
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	res := &repb.ActionResult{ExecutionMetadata: &repb.ExecutedActionMetadata{Worker: "remotetest"}}
	if err := c.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			res.ExitCode = 127
			stderr.WriteString(err.Error() + "\n")
		} else {
			res.ExitCode = int32(exit.ExitCode())
		}
	}
	res.StdoutDigest = s.Put(stdout.Bytes())
	res.StderrDigest = s.Put(stderr.Bytes())
	for _, o := range cmd.OutputPaths {
		p := filepath.Join(dir, cmd.WorkingDirectory, o)
		fi, err := os.Lstat(p)
		switch {
		case err != nil:
			continue // not made: absent from the result
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return nil, err
			}
			res.OutputSymlinks = append(res.OutputSymlinks, &repb.OutputSymlink{Path: o, Target: target})
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			res.OutputFiles = append(res.OutputFiles, &repb.OutputFile{Path: o, Digest: s.Put(data), IsExecutable: fi.Mode()&0o111 != 0})
		}
	}
	return res, nil
}

// decode reads blob d into m.
func (s *Server) decode(d *repb.Digest, m proto.Message) error {
	b, ok := s.get(d)
	if !ok {
		return status.Errorf(codes.FailedPrecondition, "%s: %v", key(d), errMissing)
	}
	if err := proto.Unmarshal(b, m); err != nil {
		return status.Errorf(codes.InvalidArgument, "%s: %v", key(d), err)
	}
	return nil
}

// layOut writes the tree of Directory d into dir.
func (s *Server) layOut(d *repb.Digest, dir string) error {
	var node repb.Directory
	if err := s.decode(d, &node); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range node.Files {
		data, ok := s.get(f.Digest)
		if !ok && f.Digest.GetSizeBytes() > 0 {
			return status.Errorf(codes.FailedPrecondition, "input %s: %v", f.Name, errMissing)
		}
		mode := os.FileMode(0o644)
		if f.IsExecutable {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), data, mode); err != nil {
			return err
		}
	}
	for _, sub := range node.Directories {
		if err := s.layOut(sub.Digest, filepath.Join(dir, sub.Name)); err != nil {
			return err
		}
	}
	return nil
}

// selfSigned makes a certificate for localhost and 127.0.0.1 and writes it,
// as its own authority, to dir/ca.pem.
func selfSigned(dir string) (tls.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "remotetest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("write CA: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, caFile, nil
}
