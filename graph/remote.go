package graph

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Remote is the [remote] table of a Buildfile: how its targets share a
// remote cache, or run on a build farm, through the Bazel Remote Execution
// API. Set says which keys the Buildfile gave, so that a command-line flag
// can tell a default from a choice. Values are taken as written (no
// ${...} expansion).
type Remote struct {
	Cache    string        // endpoint of the remote cache (grpc://HOST:PORT, grpcs://HOST:PORT, unix:PATH)
	Exec     string        // endpoint of the remote execution service
	Instance string        // REAPI instance name
	Upload   bool          // share local results
	Strict   bool          // no local fallback when the server fails
	Jobs     int           // targets run remotely at once
	Timeout  time.Duration // per call
	// ExecTimeout bounds a remote execution, queueing included (0: none)
	ExecTimeout time.Duration
	Salt        string   // added to every action's salt
	Path        string   // PATH of the commands as the remote side sees them
	TLSCA       string   // PEM file of the authorities of a grpcs:// server
	TLSCert     string   // PEM file of the client certificate (mutual TLS)
	TLSKey      string   // PEM file of its private key
	Headers     []string // NAME=value sent with every call, sorted
	Platform    []string // NAME=value properties a remote worker must have, sorted
	Set         map[string]bool
}

// remoteKeys lists the keys of [remote], sorted.
func remoteKeys() []string {
	return []string{"cache", "exec", "exec_timeout", "headers", "instance", "jobs", "path", "platform", "salt", "strict", "timeout", "tls_ca", "tls_cert", "tls_key", "upload"}
}

// remoteTable is [remote] as decoded, before its checks.
type remoteTable struct {
	texts       map[string]*text // cache, exec, instance, salt, path, tls_ca, tls_cert, tls_key
	upload      boolean
	strict      boolean
	jobs        integer
	timeout     duration
	execTimeout duration
	headers     stringTable
	platform    stringTable
	bad         problem // [remote] is not a table
}

// UnmarshalTOML hands each known key to its field (walk reports unknown
// keys).
func (r *remoteTable) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		r.bad = problem{`expected a table such as [remote] with cache = "grpc://HOST:PORT", got ` + describe(v), -1}
		return nil
	}
	r.texts = map[string]*text{}
	for _, k := range []string{"cache", "exec", "instance", "salt", "path", "tls_ca", "tls_cert", "tls_key"} {
		if ev, ok := m[k]; ok {
			t := &text{}
			_ = t.UnmarshalTOML(ev)
			r.texts[k] = t
		}
	}
	for k, u := range map[string]toml.Unmarshaler{
		"upload": &r.upload, "strict": &r.strict, "jobs": &r.jobs, "timeout": &r.timeout, "exec_timeout": &r.execTimeout,
		"headers": &r.headers, "platform": &r.platform,
	} {
		if ev, ok := m[k]; ok {
			_ = u.UnmarshalTOML(ev)
		}
	}
	return nil
}

// problems lists what the decoding found wrong, with the key path of each.
func (r *remoteTable) problems(add func(p problem, path []string, target, key string)) {
	add(r.bad, []string{"remote"}, "", "remote")
	for k, t := range r.texts {
		add(t.bad, []string{"remote", k}, "", "remote."+k)
	}
	add(r.upload.bad, []string{"remote", "upload"}, "", "remote.upload")
	add(r.strict.bad, []string{"remote", "strict"}, "", "remote.strict")
	add(r.jobs.bad, []string{"remote", "jobs"}, "", "remote.jobs")
	add(r.timeout.bad, []string{"remote", "timeout"}, "", "remote.timeout")
	add(r.execTimeout.bad, []string{"remote", "exec_timeout"}, "", "remote.exec_timeout")
	add(r.headers.bad, []string{"remote", "headers"}, "", "remote.headers")
	add(r.platform.bad, []string{"remote", "platform"}, "", "remote.platform")
	for name, t := range r.headers.m {
		add(t.bad, []string{"remote", "headers", name}, "", "remote.headers."+toml.Key{name}.String())
	}
	for name, t := range r.platform.m {
		add(t.bad, []string{"remote", "platform", name}, "", "remote.platform."+toml.Key{name}.String())
	}
}

// settle checks the values of [remote] and returns them.
func (r *remoteTable) settle(src *source) (Remote, *Error) {
	out := Remote{Set: map[string]bool{}}
	fail := func(path []string, msg string) *Error {
		return src.errorAt(atKey(path...), "", "remote."+strings.Join(path[1:], "."), msg)
	}
	for k, t := range r.texts {
		out.Set[k] = true
		switch k {
		case "cache", "exec":
			if msg := checkEndpoint(t.s); msg != "" {
				return out, fail([]string{"remote", k}, msg)
			}
			if k == "cache" {
				out.Cache = t.s
			} else {
				out.Exec = t.s
			}
		case "instance":
			out.Instance = t.s
		case "salt":
			out.Salt = t.s
		case "path":
			out.Path = t.s
		case "tls_ca":
			out.TLSCA = t.s
		case "tls_cert":
			out.TLSCert = t.s
		case "tls_key":
			out.TLSKey = t.s
		}
	}
	if r.upload.set {
		out.Set["upload"], out.Upload = true, r.upload.b
	}
	if r.strict.set {
		out.Set["strict"], out.Strict = true, r.strict.b
	}
	if r.jobs.set {
		if r.jobs.n < 1 || r.jobs.n > 100000 {
			return out, fail([]string{"remote", "jobs"}, fmt.Sprintf("%d: expected a number of targets run remotely at once, from 1 to 100000", r.jobs.n))
		}
		out.Set["jobs"], out.Jobs = true, int(r.jobs.n)
	}
	if r.timeout.set {
		d, err := time.ParseDuration(r.timeout.s)
		if err != nil || d <= 0 {
			return out, fail([]string{"remote", "timeout"}, fmt.Sprintf(`invalid duration %q (expected a positive Go duration such as "10s")`, r.timeout.s))
		}
		out.Set["timeout"], out.Timeout = true, d
	}
	if r.execTimeout.set {
		d, err := time.ParseDuration(r.execTimeout.s)
		if err != nil || d <= 0 {
			return out, fail([]string{"remote", "exec_timeout"}, fmt.Sprintf(`invalid duration %q (expected a positive Go duration such as "10m")`, r.execTimeout.s))
		}
		out.Set["exec_timeout"], out.ExecTimeout = true, d
	}
	var e *Error
	if out.Headers, e = r.headers.pairs(src, "headers", fail); e != nil {
		return out, e
	}
	if out.Platform, e = r.platform.pairs(src, "platform", fail); e != nil {
		return out, e
	}
	out.Set["headers"], out.Set["platform"] = r.headers.set, r.platform.set
	return out, nil
}

// checkEndpoint says what is wrong with a server address, or "".
func checkEndpoint(s string) string {
	const want = "expected grpc://HOST:PORT, grpcs://HOST:PORT or unix:PATH"
	if path, ok := strings.CutPrefix(s, "unix:"); ok {
		if strings.TrimPrefix(path, "//") == "" {
			return fmt.Sprintf("%q has no socket path (%s)", s, want)
		}
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "grpc" && u.Scheme != "grpcs") {
		return fmt.Sprintf("%q is not a server address (%s)", s, want)
	}
	if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" {
		return fmt.Sprintf("%q has no port (%s)", s, want)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return fmt.Sprintf("%q has a path or query (%s; an instance name goes in instance)", s, want)
	}
	return ""
}

// stringTable is a table of strings (`headers`, `platform`).
type stringTable struct {
	m   map[string]*text
	set bool
	bad problem
}

// UnmarshalTOML accepts a table of strings.
func (st *stringTable) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		st.bad = problem{`expected a table of strings such as { NAME = "value" }, got ` + describe(v), -1}
		return nil
	}
	st.m, st.set = make(map[string]*text, len(m)), true
	for k, ev := range m {
		t := &text{}
		_ = t.UnmarshalTOML(ev)
		st.m[k] = t
	}
	return nil
}

// pairs returns the table as sorted NAME=value strings.
func (st *stringTable) pairs(src *source, key string, fail func([]string, string) *Error) ([]string, *Error) {
	var out []string
	for k, t := range st.m {
		if k == "" || strings.ContainsAny(k, "= :\t\n") {
			e := fail([]string{"remote", key, k}, fmt.Sprintf("invalid name %q (expected a name without spaces, colons or \"=\")", k))
			return nil, e
		}
		out = append(out, k+"="+t.s)
	}
	slices.Sort(out)
	return out, nil
}
