package graph

import (
	"slices"
	"testing"
	"time"
)

func TestLoadRemoteTable(t *testing.T) {
	g := mustLoad(t, `
[remote]
cache    = "grpc://127.0.0.1:9092"
exec     = "unix:/run/bb.sock"
instance = "main"
upload   = true
strict   = false
jobs     = 16
timeout  = "30s"
exec_timeout = "5m"
salt     = "2"
path     = "/usr/bin:/bin"
tls_ca   = "ca.pem"
tls_cert = "me.pem"
tls_key  = "me.key"
headers  = { authorization = "Bearer x" }
platform = { OSFamily = "linux", ISA = "x86-64" }

[targets.a]
cmd = "true"
remote = false

[targets.b]
cmd = "true"
`, nil)
	r := g.Remote
	if r.Cache != "grpc://127.0.0.1:9092" || r.Exec != "unix:/run/bb.sock" || r.Instance != "main" || !r.Upload || r.Strict ||
		r.Jobs != 16 || r.Timeout != 30*time.Second || r.ExecTimeout != 5*time.Minute || r.Salt != "2" || r.Path != "/usr/bin:/bin" || r.TLSCA != "ca.pem" || r.TLSCert != "me.pem" || r.TLSKey != "me.key" {
		t.Errorf("remote = %+v", r)
	}
	if !slices.Equal(r.Headers, []string{"authorization=Bearer x"}) || !slices.Equal(r.Platform, []string{"ISA=x86-64", "OSFamily=linux"}) {
		t.Errorf("headers %v platform %v", r.Headers, r.Platform)
	}
	for _, k := range []string{"cache", "upload", "strict", "jobs", "headers"} {
		if !r.Set[k] {
			t.Errorf("Set[%q] is false", k)
		}
	}
	a, _ := g.Lookup("a")
	b, _ := g.Lookup("b")
	if !a.LocalOnly || b.LocalOnly {
		t.Errorf("LocalOnly: a %v, b %v; want true, false", a.LocalOnly, b.LocalOnly)
	}

	empty := mustLoad(t, "[targets.a]\ncmd = \"true\"\n", nil)
	if empty.Remote.Set["upload"] || empty.Remote.Cache != "" {
		t.Errorf("no [remote]: %+v", empty.Remote)
	}
}

func TestLoadRemoteErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "unknown key",
			text: "[remote]\ncache = \"grpc://h:1\"\nuplod = true\n",
			want: `Buildfile.toml:3:1: remote: unknown key "uplod" (expected one of: cache, exec, exec_timeout, headers, instance, jobs, path, platform, salt, strict, timeout, tls_ca, tls_cert, tls_key, upload; did you mean "upload"?)`,
		},
		{
			name: "bad endpoint",
			text: "[remote]\ncache = \"http://h:1\"\n",
			want: `Buildfile.toml:2:9: remote.cache: "http://h:1" is not a server address (expected grpc://HOST:PORT, grpcs://HOST:PORT or unix:PATH)`,
		},
		{
			name: "endpoint without port",
			text: "[remote]\nexec = \"grpc://farm\"\n",
			want: `Buildfile.toml:2:8: remote.exec: "grpc://farm" has no port (expected grpc://HOST:PORT, grpcs://HOST:PORT or unix:PATH)`,
		},
		{
			name: "quoted boolean",
			text: "[remote]\nupload = \"true\"\n",
			want: `Buildfile.toml:2:10: remote.upload: expected true or false, got string "true" (write true without quotes)`,
		},
		{
			name: "jobs as text",
			text: "[remote]\njobs = \"8\"\n",
			want: `Buildfile.toml:2:8: remote.jobs: expected a whole number such as 2, got string "8" (write 8 without quotes)`,
		},
		{
			name: "jobs out of range",
			text: "[remote]\njobs = 0\n",
			want: `Buildfile.toml:2:8: remote.jobs: 0: expected a number of targets run remotely at once, from 1 to 100000`,
		},
		{
			name: "bad timeout",
			text: "[remote]\ntimeout = \"soon\"\n",
			want: `Buildfile.toml:2:11: remote.timeout: invalid duration "soon" (expected a positive Go duration such as "10s")`,
		},
		{
			name: "bad exec timeout",
			text: "[remote]\nexec_timeout = \"0s\"\n",
			want: `Buildfile.toml:2:16: remote.exec_timeout: invalid duration "0s" (expected a positive Go duration such as "10m")`,
		},
		{
			name: "platform not a table",
			text: "[remote]\nplatform = \"linux\"\n",
			want: `Buildfile.toml:2:12: remote.platform: expected a table of strings such as { NAME = "value" }, got string "linux"`,
		},
		{
			name: "header value not a string",
			text: "[remote]\nheaders = { x-token = 3 }\n",
			want: `Buildfile.toml:2:13: remote.headers.x-token: expected a string, got integer 3 (write "3" to use it as text)`,
		},
		{
			name: "not a table",
			text: "remote = \"grpc://h:1\"\n",
			want: `Buildfile.toml:1:10: remote: expected a table such as [remote] with cache = "grpc://HOST:PORT", got string "grpc://h:1"`,
		},
		{
			name: "target remote not a boolean",
			text: "[targets.a]\ncmd = \"true\"\nremote = \"no\"\n",
			want: `Buildfile.toml:3:10: target "a": remote: expected true or false, got string "no"`,
		},
	})
}
