package main

import (
	"os"
	"path/filepath"
	"testing"
)

// hardLinked is a project whose input src.txt has a second name outside
// it, in a folder the server does not watch.
const hardLinked = `
[targets.copy]
inputs  = ["src.txt"]
outputs = ["copy.txt"]
cmd     = "echo ${target} >> ran.log; cp ${in} ${out}"
`

// An input written through a hard link in a folder outside the project:
// inotify tells the watch of the folder the write was made in, not of the
// project's folder. The server's next build runs the target, as a
// standalone build does, and the no-ops after it are right. (A link made
// after the server kept the file's stat is not seen: see docs/how-it-works.md.)
func TestServerSeesWriteThroughHardLink(t *testing.T) {
	tw := newTwin(t, map[string]string{"Buildfile.toml": hardLinked, "src.txt": "one\n"})
	outside := map[string]string{}
	tw.do(func(dir string) {
		other := filepath.Join(t.TempDir(), "src-link.txt")
		if err := os.Link(filepath.Join(dir, "src.txt"), other); err != nil {
			t.Skipf("no hard link: %v", err)
		}
		outside[dir] = other
	})
	tw.expect([]string{"copy"}, 0, "copy")
	tw.expect([]string{"copy"}, 0)
	tw.expect([]string{"copy"}, 0)
	tw.do(func(dir string) { write(t, outside[dir], "two, written elsewhere\n") })
	tw.expect([]string{"copy"}, 0, "copy")
	if got := read(t, filepath.Join(tw.server, "copy.txt")); got != "two, written elsewhere\n" {
		t.Errorf("copy.txt = %q", got)
	}
	tw.expect([]string{"copy"}, 0)
	tw.do(func(dir string) { write(t, outside[dir], "three\n") })
	tw.expect([]string{"copy"}, 0, "copy")
	tw.expect([]string{"copy"}, 0)
}

// A folder outside the project reached through a link in it, swapped for
// another by renaming a folder above it, outside the project: no watch of
// the project sees that, so the server states what is behind the link at
// every build, and sees the new file as a standalone build does.
func TestServerSeesSwapBehindLink(t *testing.T) {
	files := map[string]string{"Buildfile.toml": `
[targets.linked]
inputs  = ["ext/x.txt"]
outputs = ["linked.out"]
cmd     = "echo ${target} >> ran.log; cp ${in} ${out}"
`}
	tw := newTwin(t, files)
	outside := map[string]string{}
	tw.do(func(dir string) {
		o := t.TempDir()
		write(t, filepath.Join(o, "cur/lib/x.txt"), "x\n")
		if err := os.Symlink(filepath.Join(o, "cur/lib"), filepath.Join(dir, "ext")); err != nil {
			t.Fatal(err)
		}
		outside[dir] = o
	})
	tw.expect([]string{"linked"}, 0, "linked")
	tw.expect([]string{"linked"}, 0)
	tw.expect([]string{"linked"}, 0)
	tw.do(func(dir string) {
		o := outside[dir]
		write(t, filepath.Join(o, "new/lib/x.txt"), "another x\n")
		if err := os.Rename(filepath.Join(o, "cur"), filepath.Join(o, "old")); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(o, "new"), filepath.Join(o, "cur")); err != nil {
			t.Fatal(err)
		}
	})
	tw.expect([]string{"linked"}, 0, "linked")
	if got := read(t, filepath.Join(tw.server, "linked.out")); got != "another x\n" {
		t.Errorf("linked.out = %q", got)
	}
	tw.expect([]string{"linked"}, 0)
	tw.do(func(dir string) { write(t, filepath.Join(outside[dir], "cur/lib/x.txt"), "x again\n") })
	tw.expect([]string{"linked"}, 0, "linked")
	tw.expect([]string{"linked"}, 0)
}
