package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/remote"
)

// remoteFlags are the --remote-* flags; each overrides the key of the
// Buildfile's [remote] table of the same name.
type remoteFlags struct {
	cache, exec, instance, tlsCA string
	tlsCert, tlsKey              string
	upload, strict, plaintext    bool
	jobs                         int
	timeout, execTimeout         time.Duration
	headers                      []string
}

// tokenVariable names the environment variable whose value is sent as a
// bearer token, so that a secret stays out of command lines and Buildfiles.
const tokenVariable = "GOBUILDJ_REMOTE_TOKEN"

// basicAuthVariable names the environment variable whose USER:PASSWORD is
// sent as HTTP Basic credentials (what bazel-remote's --htpasswd_file
// checks).
const basicAuthVariable = "GOBUILDJ_REMOTE_BASIC_AUTH"

func (r *remoteFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&r.cache, "remote-cache", "", "share results through the remote cache at `URL`: grpc://HOST:PORT, grpcs://HOST:PORT (TLS) or unix:PATH")
	fl.StringVar(&r.exec, "remote-exec", "", "run targets on the remote execution service at `URL` (which is also the cache)")
	fl.BoolVar(&r.upload, "remote-upload", os.Getenv("CI") == "true", "upload the results of local runs to the remote cache (default: on when CI=true)")
	fl.IntVar(&r.jobs, "remote-jobs", 0, "run up to `N` targets remotely at once (default 4 x CPUs)")
	fl.BoolVar(&r.strict, "remote-strict", false, "fail a target when the remote server cannot be used, instead of building it locally")
	fl.StringArrayVar(&r.headers, "remote-header", nil, "send `NAME=VALUE` with every remote call (repeatable; "+tokenVariable+" sends a bearer token, "+basicAuthVariable+" or ~/.netrc Basic credentials)")
	fl.StringVar(&r.instance, "remote-instance", "", "the remote instance `NAME`")
	fl.DurationVar(&r.timeout, "remote-timeout", remote.DefaultTimeout, "give up on a remote call after `D` (then build locally)")
	fl.DurationVar(&r.execTimeout, "remote-exec-timeout", 0, "give up on a remote execution that has no result after `D`, queueing included (then build locally; default: no limit)")
	fl.StringVar(&r.tlsCA, "remote-tls-ca", "", "trust the certificate authorities of PEM `FILE` for grpcs://")
	fl.StringVar(&r.tlsCert, "remote-tls-cert", "", "present the client certificate of PEM `FILE` to a grpcs:// server (mutual TLS; with --remote-tls-key)")
	fl.StringVar(&r.tlsKey, "remote-tls-key", "", "the private key of --remote-tls-cert, PEM `FILE`")
	fl.BoolVar(&r.plaintext, "remote-plaintext-credentials", false, "allow credentials over grpc:// (unencrypted) to a server that is not on this machine")
}

// options merges the flags with the Buildfile's [remote] table into the
// engine's options; nil when no server is named.
func (r *remoteFlags) options(fl *pflag.FlagSet, g *graph.Graph) (*engine.RemoteOptions, error) {
	br := g.Remote
	str := func(flag, key, v, fromFile string) string {
		if fl.Changed(flag) || !br.Set[key] {
			return v
		}
		return fromFile
	}
	cache := str("remote-cache", "cache", r.cache, br.Cache)
	exec := str("remote-exec", "exec", r.exec, br.Exec)
	if cache == "" && exec == "" {
		return nil, nil
	}
	for flag, v := range map[string]string{"--remote-cache": cache, "--remote-exec": exec} {
		if v == "" {
			continue
		}
		if msg := remote.CheckEndpoint(v); msg != "" {
			return nil, usageError{fmt.Errorf("%s: %s", flag, msg)}
		}
	}
	opts := &engine.RemoteOptions{
		Config: remote.Config{
			Endpoint: cache,
			Instance: str("remote-instance", "instance", r.instance, br.Instance),
			TLSCA:    str("remote-tls-ca", "tls_ca", r.tlsCA, br.TLSCA),
			TLSCert:  str("remote-tls-cert", "tls_cert", r.tlsCert, br.TLSCert),
			TLSKey:   str("remote-tls-key", "tls_key", r.tlsKey, br.TLSKey),
			Timeout:  r.timeout,
		},
		Upload:   r.upload,
		Strict:   r.strict,
		Jobs:     r.jobs,
		Path:     br.Path,
		Platform: br.Platform,
		Salt:     br.Salt,
	}
	if exec != "" {
		if cache != "" && cache != exec {
			return nil, usageError{errors.New("--remote-cache and --remote-exec name different servers (expected one server that executes and caches, or only --remote-exec)")}
		}
		opts.Exec, opts.Config.Endpoint = true, exec
	}
	if !fl.Changed("remote-upload") && br.Set["upload"] {
		opts.Upload = br.Upload
	}
	if !fl.Changed("remote-strict") && br.Set["strict"] {
		opts.Strict = br.Strict
	}
	if !fl.Changed("remote-jobs") && br.Set["jobs"] {
		opts.Jobs = br.Jobs
	}
	if fl.Changed("remote-jobs") && r.jobs < 1 {
		return nil, usageError{fmt.Errorf("--remote-jobs %d: expected a number of at least 1", r.jobs)}
	}
	if !fl.Changed("remote-timeout") && br.Set["timeout"] {
		opts.Config.Timeout = br.Timeout
	}
	opts.ExecTimeout = r.execTimeout
	if !fl.Changed("remote-exec-timeout") && br.Set["exec_timeout"] {
		opts.ExecTimeout = br.ExecTimeout
	}
	if fl.Changed("remote-exec-timeout") && r.execTimeout <= 0 {
		return nil, usageError{fmt.Errorf("--remote-exec-timeout %s: expected a positive duration", r.execTimeout)}
	}
	if opts.Config.Timeout <= 0 {
		return nil, usageError{fmt.Errorf("--remote-timeout %s: expected a positive duration", r.timeout)}
	}
	opts.Config.Headers = append(append([]string(nil), br.Headers...), r.headers...)
	if token := os.Getenv(tokenVariable); token != "" {
		opts.Config.Headers = append(opts.Config.Headers, "authorization=Bearer "+token)
	}
	if userPass := os.Getenv(basicAuthVariable); userPass != "" {
		if !strings.Contains(userPass, ":") {
			return nil, usageError{fmt.Errorf("%s: expected USER:PASSWORD", basicAuthVariable)}
		}
		opts.Config.Headers = append(opts.Config.Headers, "authorization=Basic "+base64.StdEncoding.EncodeToString([]byte(userPass)))
	}
	if os.Getenv(tokenVariable) == "" && os.Getenv(basicAuthVariable) == "" {
		login, err := netrcLogin(opts.Config.Endpoint)
		if err != nil {
			return nil, usageError{err}
		}
		if login != nil {
			opts.Config.Headers = append(opts.Config.Headers, "authorization=Basic "+base64.StdEncoding.EncodeToString([]byte(login.Login+":"+login.Password)))
		}
	}
	for _, h := range r.headers {
		if msg := remote.CheckHeader(h); msg != "" {
			return nil, usageError{fmt.Errorf("--remote-header %s", msg)}
		}
	}
	opts.Config.PlaintextCredentials = r.plaintext
	if msg := opts.Config.CheckCredentials(); msg != "" {
		return nil, usageError{errors.New(msg)}
	}
	helper, err := findHelper()
	if err != nil {
		return nil, usageError{err}
	}
	opts.Helper = helper
	return opts, nil
}

// maxNetrcSize bounds the netrc file read: it holds a few logins.
const maxNetrcSize = 1 << 20

// netrcLogin returns the login that $NETRC, or else ~/.netrc, gives for the
// host of endpoint, as curl and git use it: nil when there is no such file
// or entry, or the endpoint is a unix socket. The file must be a regular
// file of at most a MiB.
func netrcLogin(endpoint string) (*remote.NetrcLogin, error) {
	ep, err := remote.ParseEndpoint(endpoint)
	if err != nil || ep.Host == "" {
		return nil, nil
	}
	path := os.Getenv("NETRC")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, nil
		}
		path = filepath.Join(home, ".netrc")
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("netrc: %w", err)
	case !fi.Mode().IsRegular() || fi.Size() > maxNetrcSize:
		return nil, fmt.Errorf("netrc %s: expected a regular file of at most 1 MiB", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("netrc: %w", err)
	}
	login, ok, err := remote.FindNetrcLogin(string(b), ep.Host)
	if err != nil {
		return nil, fmt.Errorf("netrc %s: %w", path, err)
	}
	if !ok {
		return nil, nil
	}
	return &login, nil
}

// findHelper finds gobuildj-remote, which runs remote jobs: beside this
// binary, else in PATH.
func findHelper() (string, error) {
	exe, err := os.Executable()
	if err == nil {
		p := filepath.Join(filepath.Dir(exe), remote.HelperName)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath(remote.HelperName); err == nil {
		return filepath.Abs(p)
	}
	return "", fmt.Errorf("a remote cache or build farm needs %s, gobuildj's companion binary that holds the gRPC client, beside %s or in PATH (make install, or go install github.com/gobuildj/gobuildj/cmd/...)", remote.HelperName, exe)
}
