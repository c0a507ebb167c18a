// Package remote describes what gobuildj asks of a remote cache or build
// farm that speaks the Bazel Remote Execution API v2: which server (Config),
// and for each target to share or run remotely, the run as the remote side
// must see it (Spec) and what the worker must do with it (Request).
//
// It is deliberately light: the gRPC client itself (package remote/reapi)
// links gRPC and the API's generated code, which cost gobuildj's start-up
// several milliseconds, so it lives in a companion binary, gobuildj-remote,
// that gobuildj starts as its worker processes only for remote builds.
package remote

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// HelperName is the companion binary that runs remote jobs: gobuildj looks
// for it beside itself, then in PATH.
const HelperName = "gobuildj-remote"

// TaskName is the sched task of gobuildj-remote's workers: a worker.Job
// with Remote set, answered by a worker.Result.
const TaskName = "gobuildj.run.remote"

// Config says which server to talk to and how.
type Config struct {
	// Endpoint is grpc://HOST:PORT, grpcs://HOST:PORT (TLS) or unix:PATH.
	Endpoint string
	// Instance is the REAPI instance name ("" for the default instance).
	Instance string
	// Headers are sent with every call (for example an authorization
	// token), as NAME=VALUE.
	Headers []string
	// TLSCA is a PEM file of certificate authorities for grpcs:// (""
	// means the system's).
	TLSCA string
	// TLSCert and TLSKey are PEM files of a client certificate and its
	// key, for a grpcs:// server that asks for one (mutual TLS).
	TLSCert, TLSKey string
	// PlaintextCredentials allows credentials (an authorization header,
	// a token) over grpc:// to a server that is not on this machine;
	// otherwise CheckCredentials refuses them.
	PlaintextCredentials bool
	// Timeout bounds each call that moves metadata or small blobs (default
	// DefaultTimeout); streams of large blobs get more in proportion.
	Timeout time.Duration
}

// DefaultTimeout is the default of Config.Timeout.
const DefaultTimeout = 10 * time.Second

// CallTimeout returns Timeout, or its default.
func (c *Config) CallTimeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// Metadata returns the headers as gRPC metadata pairs (name, value, ...),
// names lowercased, sorted.
func (c *Config) Metadata() []string {
	var kv []string
	hs := slices.Clone(c.Headers)
	slices.Sort(hs)
	for _, h := range hs {
		name, value, _ := strings.Cut(h, "=")
		kv = append(kv, strings.ToLower(name), value)
	}
	return kv
}

// Endpoint is a parsed Config.Endpoint.
type Endpoint struct {
	Target string // for grpc.NewClient: dns:///HOST:PORT or unix:PATH
	TLS    bool
	Host   string // the TLS server name
}

// CheckEndpoint reports, in words for the user, what is wrong with an
// endpoint string, or "" if nothing is.
func CheckEndpoint(s string) string {
	if _, err := ParseEndpoint(s); err != nil {
		return err.Error()
	}
	return ""
}

// ParseEndpoint parses grpc://HOST:PORT, grpcs://HOST:PORT or unix:PATH.
func ParseEndpoint(s string) (Endpoint, error) {
	const want = "expected grpc://HOST:PORT, grpcs://HOST:PORT or unix:PATH"
	if path, ok := strings.CutPrefix(s, "unix:"); ok {
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return Endpoint{}, fmt.Errorf("%q has no socket path (%s)", s, want)
		}
		return Endpoint{Target: "unix:" + path}, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return Endpoint{}, fmt.Errorf("%q is not a server address (%s)", s, want)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil {
		return Endpoint{}, fmt.Errorf("%q has a path, query or user part (%s; an instance name goes in instance)", s, want)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || port == "" {
		return Endpoint{}, fmt.Errorf("%q has no port (%s)", s, want)
	}
	switch u.Scheme {
	case "grpc":
		return Endpoint{Target: "dns:///" + u.Host, Host: host}, nil
	case "grpcs":
		return Endpoint{Target: "dns:///" + u.Host, Host: host, TLS: true}, nil
	}
	return Endpoint{}, fmt.Errorf("%q: unknown scheme %q (%s)", s, u.Scheme, want)
}

// CheckCredentials reports, in words for the user, why c must not be
// used: credentials in headers that grpc:// would send in plaintext to a
// server that is not on this machine (a loopback address or a unix
// socket), unless PlaintextCredentials allows it; or a client certificate
// without grpcs://, or half of one.
func (c *Config) CheckCredentials() string {
	ep, err := ParseEndpoint(c.Endpoint)
	if err != nil {
		return err.Error()
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return "a client certificate needs both its certificate and its key (--remote-tls-cert and --remote-tls-key)"
	}
	if c.TLSCert != "" && !ep.TLS {
		return fmt.Sprintf("%s: a client certificate needs grpcs:// (TLS)", c.Endpoint)
	}
	if ep.TLS || c.PlaintextCredentials || ep.Host == "" || isLoopback(ep.Host) {
		return ""
	}
	for _, h := range c.Headers {
		name, _, _ := strings.Cut(h, "=")
		if secretHeader(name) {
			return fmt.Sprintf("%s: refusing to send the %s header unencrypted to a server that is not on this machine (use grpcs://, or --remote-plaintext-credentials if the network is trusted)", c.Endpoint, strings.ToLower(name))
		}
	}
	return ""
}

// secretHeader reports whether a header named name likely carries a
// credential.
func secretHeader(name string) bool {
	name = strings.ToLower(name)
	for _, s := range []string{"auth", "token", "key", "secret", "password", "cookie", "credential"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// isLoopback reports whether host names this machine: localhost, or a
// loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// CheckHeader reports what is wrong with a NAME=VALUE header, or "".
func CheckHeader(h string) string {
	name, _, ok := strings.Cut(h, "=")
	if !ok || name == "" || strings.ContainsAny(name, " :\t") {
		return fmt.Sprintf("%q: expected NAME=VALUE with a name without spaces or colons, such as authorization=Bearer TOKEN", h)
	}
	return ""
}

// String names the server for messages.
func (c *Config) String() string {
	if c.Instance != "" {
		return c.Endpoint + " (instance " + c.Instance + ")"
	}
	return c.Endpoint
}
