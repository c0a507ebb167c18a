package why

import (
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/remote"
)

func TestExplainRemote(t *testing.T) {
	d := func(s string) remote.Digest { return remote.DigestOf([]byte(s)) }
	cached := &remote.WhyManifest{
		Target: "app", Host: "ci-7", Cmds: []string{"cc -c a.c"}, Dir: ".",
		Inputs:    []remote.PathDigest{{Path: "a.c", Digest: d("a")}, {Path: "gone.h", Digest: d("g")}},
		EnvInputs: []remote.NamedValue{{Name: "CFLAGS", Value: "unset"}},
		Tools:     []remote.Tool{{Name: "cc", Path: "/usr/bin/cc", SHA256: strings.Repeat("9c", 32)}},
	}
	local := &remote.WhyManifest{
		Target: "app", Cmds: []string{"cc -c a.c"}, Dir: ".",
		Inputs:    []remote.PathDigest{{Path: "a.c", Digest: d("b")}},
		EnvInputs: []remote.NamedValue{{Name: "CFLAGS", Value: strings.Repeat("ab", 32)}},
		Tools:     []remote.Tool{{Name: "cc", Path: "/usr/bin/cc", SHA256: strings.Repeat("3f", 32)}},
	}
	e := ExplainRemote(local, cached)
	var texts []string
	for _, c := range e.Changes {
		texts = append(texts, c.Text)
	}
	want := []string{
		"input a.c differs: " + d("b").HashHex()[:8] + "... here, " + d("a").HashHex()[:8] + "... in the cache",
		"input gone.h only in the cache",
		"env CFLAGS differs (set, abababab... here, unset in the cache)",
		"tool /usr/bin/cc: 3f3f3f3f... here, 9c9c9c9c... in the cache",
	}
	if strings.Join(texts, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
	if e := ExplainRemote(local, local); !e.Found || len(e.Changes) != 0 {
		t.Errorf("same manifest: %+v", e)
	}
	traced := *local
	traced.Traced = true
	if e := ExplainRemote(&traced, local); len(e.Changes) != 1 || strings.Join(e.Changes[0].Diff, "|") != "- not traced|+ traced" {
		t.Errorf("traced here only: %+v", e)
	}
	if e := ExplainRemote(local, nil); e.Found {
		t.Errorf("no cached manifest: %+v", e)
	}
}
