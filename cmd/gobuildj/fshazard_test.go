package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An input that is not a regular file (a FIFO, a device) is refused by
// name before anything runs, never opened for reading: reading a FIFO
// waits for a writer, reading /dev/zero never ends.
func TestSpecialInputsAreRefused(t *testing.T) {
	for _, c := range []struct {
		name, input string
		setup       func(t *testing.T, dir string)
		want        string
	}{
		{"FIFO", "in.fifo", func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "in.fifo"))
		}, `input "in.fifo" is a FIFO, not a regular file`},
		{"link to /dev/zero", "zero", func(t *testing.T, dir string) {
			symlink(t, "/dev/zero", filepath.Join(dir, "zero"))
		}, `input "zero" is a device, not a regular file`},
		{"/dev/zero", "/dev/zero", func(*testing.T, string) {}, `input "/dev/zero" is a device, not a regular file`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, map[string]string{
				"Buildfile.toml": "[targets.all]\ninputs = [\"" + c.input + "\"]\noutputs = [\"out.txt\"]\ncmd = \"echo ran > out.txt\"\n",
			})
			c.setup(t, dir)
			out, code := runBounded(t, dir)
			if code != 2 || !strings.Contains(out, c.want) || !strings.Contains(out, "all") {
				t.Errorf("exit code %d, want 2 and %q naming the target:\n%s", code, c.want, out)
			}
			if _, err := os.Stat(filepath.Join(dir, "out.txt")); err == nil {
				t.Error("the command ran")
			}
		})
	}
}

// A glob leaves FIFOs out of its matches: "src/*" means the regular files
// there.
func TestGlobsLeaveOutFIFOs(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": "[targets.all]\ninputs = [\"src/*\"]\noutputs = [\"in.txt\"]\ncmd = \"echo ${in} > in.txt\"\n",
		"src/a.txt":      "a\n",
	})
	mkfifo(t, filepath.Join(dir, "src", "p.fifo"))
	symlink(t, "p.fifo", filepath.Join(dir, "src", "link.txt"))
	out, code := runBounded(t, dir)
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, out)
	}
	if got, want := read(t, filepath.Join(dir, "in.txt")), "src/a.txt\n"; got != want {
		t.Errorf("the glob matched %q, want %q", got, want)
	}
}

// A FIFO that a depfile names is not read: the build warns and goes on,
// and the target runs again next time, since its input cannot be hashed.
func TestDepfileFIFOIsNotRead(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": "default = [\"obj\"]\n[targets.obj]\noutputs = [\"out.o\"]\ndepfile = \"out.d\"\n" +
			"cmd = \"echo obj >> ran.log && printf 'out.o: dep.fifo\\\\n' > out.d && touch out.o\"\n",
	})
	mkfifo(t, filepath.Join(dir, "dep.fifo"))
	for i := range 2 {
		out, code := runBounded(t, dir)
		if code != 0 || !strings.Contains(out, "dep.fifo, which is a FIFO, not a regular file") {
			t.Fatalf("build %d: exit code %d, want 0 and a warning naming the FIFO:\n%s", i+1, code, out)
		}
		assertRan(t, dir, "obj")
	}
}

// A FIFO in the place of a file of .gobuildj/ that gobuildj opens is an
// error naming it (or, for a file gobuildj can do without or replace, is
// left aside), never a wait for ever.
func TestStateFIFOsDoNotHang(t *testing.T) {
	const bf = "[targets.all]\ninputs = [\"in.txt\"]\noutputs = [\"out.txt\"]\ncmd = \"cp in.txt out.txt\"\n"
	for _, c := range []struct {
		file string
		fail bool // else the build goes on
	}{
		{".gobuildj/lock", true},
		{".gobuildj/state.log", true},
		{".gobuildj/graph.snap", false},
		{".gobuildj/sha256.log", false},
		{".gobuildj/log/last.log", false},
	} {
		t.Run(c.file, func(t *testing.T) {
			dir := project(t, map[string]string{"Buildfile.toml": bf, "in.txt": "1\n"})
			if out, code := runBounded(t, dir); code != 0 {
				t.Fatalf("first build: exit code %d:\n%s", code, out)
			}
			p := filepath.Join(dir, c.file)
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			mkfifo(t, p)
			write(t, filepath.Join(dir, "in.txt"), "2\n")
			out, code := runBounded(t, dir)
			switch {
			case c.fail && (code != 2 || !strings.Contains(out, c.file+" is a FIFO, not a regular file")):
				t.Errorf("exit code %d, want 2 and the FIFO named:\n%s", code, out)
			case !c.fail && code != 0:
				t.Errorf("exit code %d, want 0:\n%s", code, out)
			}
		})
	}
}

// An output folder that is a symbolic link out of the project (a checkout
// can hold one) does not make a failed build delete files there that its
// command never wrote: neither the depfile before the run nor the outputs
// after the failure. What the command did write there is deleted.
func TestFailureDeletesNothingOutsideItDidNotWrite(t *testing.T) {
	outside := t.TempDir()
	write(t, filepath.Join(outside, "app.o"), "precious object\n")
	write(t, filepath.Join(outside, "app.d"), "precious depfile\n")
	dir := project(t, map[string]string{
		"Buildfile.toml": "[targets.all]\noutputs = [\"build/app.o\", \"build/new.o\"]\ndepfile = \"build/app.d\"\n" +
			"cmd = \"echo half > build/new.o; exit 1\"\n",
	})
	symlink(t, outside, filepath.Join(dir, "build"))
	out, code := runBounded(t, dir)
	if code != 1 {
		t.Fatalf("exit code %d, want 1:\n%s", code, out)
	}
	for name, want := range map[string]string{"app.o": "precious object\n", "app.d": "precious depfile\n"} {
		b, err := os.ReadFile(filepath.Join(outside, name))
		if err != nil || string(b) != want {
			t.Errorf("%s outside the project: %q, %v; want %q", name, b, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "new.o")); err == nil {
		t.Error("new.o, which the failed command wrote, was not deleted")
	}
	if !strings.Contains(out, "kept output") {
		t.Errorf("the output does not say what was kept:\n%s", out)
	}
}

// A build that stops after a failure does not delete the depfiles of the
// targets it queued but never started: they keep the headers their objects
// depend on.
func TestNeverStartedTargetsKeepTheirDepfiles(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `
default = ["all"]
[targets.all]
deps = ["a", "b"]
[targets.a]
inputs = ["a.in"]
outputs = ["a.txt"]
cmd = "echo a >> ran.log; if [ -e fail ]; then exit 1; fi; sleep 0.5; cp a.in a.txt"
[targets.b]
inputs = ["b.c"]
outputs = ["b.o"]
depfile = "b.d"
cmd = "echo b >> ran.log; printf 'b.o: b.c b.h\\n' > b.d; cat b.c b.h > b.o"
`,
		"a.in": "1\n", "b.c": "int b;\n", "b.h": "#define B 1\n",
	})
	mustBuild(t, dir, "-j1")
	assertRan(t, dir, "a", "b")
	// a (the longer, so first with -j1) fails; b, which the header edit
	// made out of date, is queued behind it and never starts.
	write(t, filepath.Join(dir, "a.in"), "2\n")
	write(t, filepath.Join(dir, "b.h"), "#define B 2\n")
	write(t, filepath.Join(dir, "fail"), "")
	if out, code := runBounded(t, dir, "-j1"); code != 1 {
		t.Fatalf("exit code %d, want 1:\n%s", code, out)
	}
	assertRan(t, dir, "a")
	b, err := os.ReadFile(filepath.Join(dir, "b.d"))
	if err != nil || string(b) != "b.o: b.c b.h\n" {
		t.Fatalf("b's depfile after a build that never started b: %q, %v", b, err)
	}
	if err := os.Remove(filepath.Join(dir, "fail")); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, dir, "-j1")
	assertRan(t, dir, "a", "b")
	write(t, filepath.Join(dir, "b.h"), "#define B 3\n")
	mustBuild(t, dir, "-j1")
	assertRan(t, dir, "b")
}
