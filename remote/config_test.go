package remote

import (
	"strings"
	"testing"
)

func TestCheckCredentials(t *testing.T) {
	bearer := []string{"authorization=Bearer x"}
	for _, tc := range []struct {
		cfg  Config
		want string // "" when allowed
	}{
		{Config{Endpoint: "grpc://cache.example.com:9092", Headers: bearer}, "refusing to send the authorization header unencrypted"},
		{Config{Endpoint: "grpc://10.0.0.1:9092", Headers: []string{"X-Api-Key=k"}}, "refusing to send the x-api-key header"},
		{Config{Endpoint: "grpc://cache.example.com:9092", Headers: bearer, PlaintextCredentials: true}, ""},
		{Config{Endpoint: "grpc://cache.example.com:9092", Headers: []string{"x-team=infra"}}, ""},
		{Config{Endpoint: "grpc://127.0.0.1:9092", Headers: bearer}, ""},
		{Config{Endpoint: "grpc://127.1.2.3:9092", Headers: bearer}, ""},
		{Config{Endpoint: "grpc://[::1]:9092", Headers: bearer}, ""},
		{Config{Endpoint: "grpc://localhost:9092", Headers: bearer}, ""},
		{Config{Endpoint: "unix:/run/cache.sock", Headers: bearer}, ""},
		{Config{Endpoint: "grpcs://cache.example.com:443", Headers: bearer}, ""},
		{Config{Endpoint: "grpcs://cache.example.com:443", TLSCert: "c.pem"}, "needs both its certificate and its key"},
		{Config{Endpoint: "grpc://127.0.0.1:1", TLSCert: "c.pem", TLSKey: "k.pem"}, "a client certificate needs grpcs://"},
		{Config{Endpoint: "grpcs://cache.example.com:443", TLSCert: "c.pem", TLSKey: "k.pem"}, ""},
	} {
		got := tc.cfg.CheckCredentials()
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%+v: %q, want %q", tc.cfg, got, tc.want)
		}
	}
}
