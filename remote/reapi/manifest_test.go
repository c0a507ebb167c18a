package reapi

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/remote"
)

func TestManifestRoundTrip(t *testing.T) {
	paths := []string{"include/a.h", "src/b.h", "/usr/include/stdio.h"}
	got, absent, err := decodeManifest(encodeManifest(paths, nil))
	if err != nil || !slices.Equal(got, paths) || absent != nil {
		t.Fatalf("decode(encode(%v)) = %v, %v, %v", paths, got, absent, err)
	}
	if m := string(encodeManifest(paths, nil)); strings.Contains(m, "\n\n") {
		t.Errorf("a manifest without absent paths has an empty line: %q", m)
	}
	probed := []string{"include/stdio.h", "src/c.h"}
	got, absent, err = decodeManifest(encodeManifest(paths, probed))
	if err != nil || !slices.Equal(got, paths) || !slices.Equal(absent, probed) {
		t.Fatalf("decode(encode(%v, %v)) = %v, %v, %v", paths, probed, got, absent, err)
	}
	for _, bad := range []string{
		"", "other 1\na.h\n", manifestMarker + "\n../a.h\n", manifestMarker + "\n/etc/passwd\n",
		manifestMarker + "\n/usr/../etc/passwd\n", manifestMarker + "\na/./b.h\n", manifestMarker + "\na.h",
		manifestMarker + "\na.h\n\n/usr/include/x.h\n", manifestMarker + "\na.h\n\n../x.h\n", manifestMarker + "\n\na.h\n\n",
	} {
		if _, _, err := decodeManifest([]byte(bad)); err == nil {
			t.Errorf("decodeManifest(%q) succeeded", bad)
		}
	}
}

func cSpec() remote.Spec {
	return remote.Spec{
		Cmds:    []string{"cc -MMD -MF obj/a.d -c src/a.c -o obj/a.o"},
		Dir:     ".",
		Inputs:  []Input{{Path: "src/a.c", Digest: remote.DigestOf([]byte("int a;"))}},
		Outputs: []string{"obj/a.o"},
		Depfile: "obj/a.d",
	}
}

// The first-level action never has the key of an action that runs, and
// both have the depfile among their outputs.
func TestFirstLevelDiffersFromTheAction(t *testing.T) {
	s := cSpec()
	first, err := firstLevel(s)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	full, err := fullAction(s, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Digest == plain.Digest || first.Digest == full.Digest {
		t.Error("the first-level action has the key of the action")
	}
	if !slices.Equal(first.Outputs, []string{"obj/a.d", "obj/a.o"}) {
		t.Errorf("outputs %v, want the depfile too", first.Outputs)
	}
}

func TestAfterRun(t *testing.T) {
	root := t.TempDir()
	write := func(p, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("src/a.c", "int a;")
	write("include/a.h", "#define A 1")
	write("include/b.h", "#define B 1")
	// The run starts after the files were written, and past the clock's
	// slack (afterRun suspects files stamped within it).
	settled := func() time.Time {
		time.Sleep(2*fileid.TickSlack() + time.Millisecond)
		return time.Now()
	}
	s := cSpec()

	write("obj/a.d", "obj/a.o: src/a.c include/a.h \\\n include/b.h\ninclude/a.h:\n")
	a, manifest, why := afterRun(root, root, s, settled(), nil, nil)
	if why != "" {
		t.Fatalf("not shared: %s", why)
	}
	if got, _, _ := decodeManifest(manifest); !slices.Equal(got, []string{"include/a.h", "include/b.h"}) {
		t.Errorf("manifest lists %v", got)
	}
	// The worker's lookup finds the same full action from the manifest.
	files, why := hashFiles(root, []string{"include/a.h", "include/b.h"}, nil, time.Time{})
	if why != "" {
		t.Fatal(why)
	}
	again, err := fullAction(s, files, nil)
	if err != nil || again.Digest != a.Digest {
		t.Errorf("the full action from the manifest differs (%v)", err)
	}
	// A header edit changes the full action.
	write("include/b.h", "#define B 2")
	if b, _, _ := afterRun(root, root, s, settled(), nil, nil); b == nil || b.Digest == a.Digest {
		t.Error("a header edit kept the full action")
	}

	if _, err := os.Stat("/usr/include/stdio.h"); err == nil {
		write("obj/a.d", "obj/a.o: src/a.c /usr/include/stdio.h\n")
		a, manifest, why := afterRun(root, root, s, settled(), nil, nil)
		if why != "" || !strings.Contains(string(manifest), "/usr/include/stdio.h\n") {
			t.Errorf("a system header: %q, manifest %q", why, manifest)
		}
		if a != nil && len(a.Inputs) != 1 {
			t.Errorf("the system header is in the input tree: %v", a.Inputs)
		}
	}

	outside := filepath.Join(t.TempDir(), "x.h")
	if err := os.WriteFile(outside, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	write("obj/a.d", "obj/a.o: src/a.c "+outside+"\n")
	if _, _, why := afterRun(root, root, s, settled(), nil, nil); !strings.Contains(why, "outside the project") {
		t.Errorf("a header outside the project: %q", why)
	}

	write("obj/a.d", "obj/a.o: src/a.c include/a.h\n")
	if _, _, why := afterRun(root, root, s, time.Now().Add(-time.Hour), nil, nil); !strings.Contains(why, "changed while the commands ran") {
		t.Errorf("a header written during the run: %q", why)
	}
}
