package remote

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRequestRoundTrip(t *testing.T) {
	r := Request{
		Config: Config{Endpoint: "grpcs://cache:443", Instance: "main", Headers: []string{"a=b"}, Timeout: time.Second},
		Exec:   true, Upload: true, Strict: true, Root: "/src",
		Spec: Spec{
			Cmds: []string{"cc -c a.c"}, Dir: "sub", Env: []string{"PATH=/bin"},
			Inputs:  []Input{{Path: "a.c", Digest: DigestOf([]byte("int x;")), Executable: true}},
			Outputs: []string{"a.o"}, Platform: []string{"OSFamily=linux"}, Timeout: time.Minute, Salt: "s",
		},
	}
	got, err := DecodeRequest(r.Encode())
	if err != nil || !reflect.DeepEqual(*got, r) {
		t.Fatalf("DecodeRequest(Encode(r)) = %+v, %v\nwant %+v", got, err, r)
	}
	if _, err := DecodeRequest([]byte(`{"Spec":{"Inputs":[{"Digest":"zz/1"}]}}`)); err == nil {
		t.Fatal("a bad digest decoded")
	}
}

func TestEndpoints(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"grpc://127.0.0.1:9092", ""},
		{"grpcs://cache.example.com:443", ""},
		{"unix:/tmp/x.sock", ""},
		{"unix:///tmp/x.sock", ""},
		{"http://127.0.0.1:8080", "unknown scheme"},
		{"grpc://127.0.0.1", "no port"},
		{"127.0.0.1:9092", "not a server address"},
		{"unix:", "no socket path"},
		{"grpc://h:1/instance", "path"},
	} {
		if got := CheckEndpoint(tc.in); tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("CheckEndpoint(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if CheckHeader("authorization=Bearer x") != "" || CheckHeader("bad name=x") == "" || CheckHeader("noequals") == "" {
		t.Error("CheckHeader")
	}
}
