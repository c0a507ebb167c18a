package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

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
	// Timeout bounds each call that moves metadata or small blobs (default
	// DefaultTimeout); streams of large blobs get more in proportion.
	Timeout time.Duration
}

// DefaultTimeout is the default of Config.Timeout.
const DefaultTimeout = 10 * time.Second

func (c *Config) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// endpoint is a parsed Config.Endpoint.
type endpoint struct {
	target string // for grpc.NewClient
	tls    bool
	host   string // for the TLS server name
}

// CheckEndpoint reports, in words for the user, what is wrong with an
// endpoint string, or "" if nothing is.
func CheckEndpoint(s string) string {
	_, err := parseEndpoint(s)
	if err != nil {
		return err.Error()
	}
	return ""
}

func parseEndpoint(s string) (endpoint, error) {
	const want = "expected grpc://HOST:PORT, grpcs://HOST:PORT or unix:PATH"
	if path, ok := strings.CutPrefix(s, "unix:"); ok {
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return endpoint{}, fmt.Errorf("%q has no socket path (%s)", s, want)
		}
		return endpoint{target: "unix:" + path}, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return endpoint{}, fmt.Errorf("%q is not a server address (%s)", s, want)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil {
		return endpoint{}, fmt.Errorf("%q has a path, query or user part (%s; an instance name goes in instance)", s, want)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || port == "" {
		return endpoint{}, fmt.Errorf("%q has no port (%s)", s, want)
	}
	switch u.Scheme {
	case "grpc":
		return endpoint{target: "dns:///" + u.Host, host: host}, nil
	case "grpcs":
		return endpoint{target: "dns:///" + u.Host, host: host, tls: true}, nil
	}
	return endpoint{}, fmt.Errorf("%q: unknown scheme %q (%s)", s, u.Scheme, want)
}

// CheckHeader reports what is wrong with a NAME=VALUE header, or "".
func CheckHeader(h string) string {
	name, _, ok := strings.Cut(h, "=")
	if !ok || name == "" || strings.ContainsAny(name, " :\t") {
		return fmt.Sprintf("%q: expected NAME=VALUE with a name without spaces or colons, such as authorization=Bearer TOKEN", h)
	}
	return ""
}

// dialOptions are the options of a connection to c's server.
func (c *Config) dialOptions(ep endpoint) ([]grpc.DialOption, error) {
	creds := insecure.NewCredentials()
	if ep.tls {
		tc := &tls.Config{ServerName: ep.host, MinVersion: tls.VersionTLS12}
		if c.TLSCA != "" {
			pem, err := os.ReadFile(c.TLSCA)
			if err != nil {
				return nil, fmt.Errorf("TLS certificate authorities: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("TLS certificate authorities: no PEM certificate in %s", c.TLSCA)
			}
			tc.RootCAs = pool
		}
		creds = credentials.NewTLS(tc)
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessageSize), grpc.MaxCallSendMsgSize(maxMessageSize)),
	}
	if md := c.metadata(); len(md) > 0 {
		opts = append(opts,
			grpc.WithUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, o ...grpc.CallOption) error {
				return invoker(withMetadata(ctx, md), method, req, reply, cc, o...)
			}),
			grpc.WithStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, o ...grpc.CallOption) (grpc.ClientStream, error) {
				return streamer(withMetadata(ctx, md), desc, cc, method, o...)
			}))
	}
	return opts, nil
}

// metadata returns the headers as gRPC metadata pairs, names lowercased and
// sorted.
func (c *Config) metadata() []string {
	var kv []string
	hs := append([]string(nil), c.Headers...)
	sort.Strings(hs)
	for _, h := range hs {
		name, value, _ := strings.Cut(h, "=")
		kv = append(kv, strings.ToLower(name), value)
	}
	return kv
}

// String names the server for messages.
func (c *Config) String() string {
	if c.Instance != "" {
		return c.Endpoint + " (instance " + c.Instance + ")"
	}
	return c.Endpoint
}
