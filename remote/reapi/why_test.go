package reapi

import (
	"context"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/remote/remotetest"
)

// The latest why manifest of a target is found by its salt, Buildfile and
// name alone, and the last machine to share it overwrites it.
func TestWhyManifestFoundByTargetAlone(t *testing.T) {
	s, err := remotetest.Start(remotetest.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cl, err := Dial(remote.Config{Endpoint: s.Endpoint, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	l := &remote.WhyLookup{Salt: "s", Buildfile: "Buildfile.toml", Target: "app"}
	if b, err := cl.readWhy(ctx, l); err != nil || b != nil {
		t.Fatalf("before any: %q, %v", b, err)
	}
	for _, cmd := range []string{"cc -O2 a.c", "cc -O3 a.c"} {
		m := &remote.WhyManifest{Target: "app", Buildfile: "Buildfile.toml", Salt: "s", Cmds: []string{cmd}, Dir: "."}
		if err := cl.storeWhy(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	b, err := cl.readWhy(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	m, err := remote.DecodeWhy(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Cmds) != 1 || m.Cmds[0] != "cc -O3 a.c" || m.Host == "" || m.Time.IsZero() {
		t.Fatalf("read %+v", m)
	}
	for _, other := range []remote.WhyLookup{{Salt: "t", Buildfile: "Buildfile.toml", Target: "app"}, {Salt: "s", Buildfile: "sub/Buildfile.toml", Target: "app"}, {Salt: "s", Buildfile: "Buildfile.toml", Target: "lib"}} {
		if b, err := cl.readWhy(ctx, &other); err != nil || b != nil {
			t.Errorf("%+v: %q, %v", other, b, err)
		}
	}
}
