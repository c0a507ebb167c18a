package graph

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// seedBuildfiles adds every Buildfile of the repository's examples and of
// testdata/bad to the corpus of a fuzz test, and Buildfiles that use vars,
// rules, globs, braces and includes over the files of fuzzTree, and the
// bombs that Load must refuse at once.
func seedBuildfiles(f *testing.F) {
	for _, pattern := range []string{"../testdata/bad/*.toml", "../examples/*/Buildfile.toml", "../Buildfile.toml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("[vars]\na = \"${b} $$ $HOME\"\nb = \"x\"\n[targets.all]\ndeps = [\"t\"]\n[targets.t]\ninputs = [\"**/*.txt\"]\noutputs = [\"o\"]\ncmd = [\"${a} ${in} ${out}\"]\n"))
	f.Add([]byte("include = [\"Buildfile.toml\"]\n"))
	f.Add([]byte("[defaults]\nsandbox = true\ntrace = true\ntimeout = \"${t}\"\npool = \"p\"\nenv = { A = \"${out}\" }\ntools = [\"x/y\"]\n[vars]\nt = \"1s\"\n[pools.p]\ndepth = 1\n[targets.a]\noutputs = [\"o\"]\ncmd = \"true\"\nsandbox = false\nenv = { A = \"1\" }\n[targets.b]\ndeps = [\"a\"]\n"))
	f.Add([]byte("[pools.p]\ndepth = 2\n[rules.r]\nforeach = [\"*.txt\", \"src.*\"]\nexclude = [\"x*\"]\noutputs = [\"out/${stem}.o\", \"${match}.2\"]\ninputs = [\"${match}\"]\ncmd = \"cp ${in} ${out} # ${target}\"\ndepfile = \"${out}.d\"\npool = \"p\"\n[targets.all]\ndeps = [\"r\", \"out/src.o\"]\npool = \"console\"\n"))
	f.Add([]byte("include = [\"sub/Buildfile.toml\"]\n[vars]\next = \"{c,h}\"\nsrc = \"src/**/*.${ext}\"\n[rules.obj]\nforeach = [\"${src}\"]\ninputs = [\"${match}\"]\nexclude = [\"src/{x,y}/*\"]\noutputs = [\"obj/${stem}.o\"]\ncmd = \"cc -c ${in:raw} -o ${out}\"\n[targets.app]\ndeps = [\"obj\", \"sub/lib\"]\ninputs = [\"include/*.{h,hpp}\", \"src/{a,sub/b}.c\"]\noutputs = [\"app\"]\ncmd = [\"cc -o ${out} ${deps}\"]\n"))
	// Bombs: braces that multiply, long globs, deep nesting.
	f.Add([]byte("[targets.a]\ninputs = [\"src/" + strings.Repeat("{a,b}", 30) + "\"]\n"))
	f.Add([]byte("[vars]\nab = \"{a,b,c,d}\"\nx = \"${ab}${ab}${ab}${ab}\"\n[rules.r]\nforeach = [\"${x}${x}${x}${x}\"]\noutputs = [\"${stem}.o\"]\n"))
	f.Add([]byte("[targets.a]\ninputs = [\"src/" + strings.Repeat("{a}", 1300) + "*\"]\nexclude = [\"" + strings.Repeat("*", 4000) + "\"]\n"))
	f.Add([]byte("a = " + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + "\n"))
	f.Add([]byte("[targets.t]\nenv = " + strings.Repeat("{a=", 1000) + "1" + strings.Repeat("}", 1000) + "\n"))
	f.Add([]byte(`a = """` + strings.Repeat("[", 200) + `"""` + "\nb = '''" + strings.Repeat("{", 200) + "'''\n[\"[[\"]\nc = [ # [[\n" + strings.Repeat("[", 126) + strings.Repeat("]", 126) + "]\n"))
}

// fuzzTree is the project that FuzzLoad loads each Buildfile in: files for
// globs and rules to find, and a Buildfile to include.
var fuzzTree = map[string]string{
	"src.txt":            "x",
	"src/a.c":            "",
	"src/b.h":            "",
	"src/sub/b.c":        "",
	"src/x/y.c":          "",
	"include/z.h":        "",
	"sub/Buildfile.toml": "[vars]\nv = \"lib\"\n[targets.lib]\ninputs = [\"*.{c,h}\"]\noutputs = [\"${v}.a\"]\ncmd = \"ar rc ${out} ${in}\"\n",
	"sub/l.c":            "",
}

// Bounds on one Load of FuzzLoad: a Buildfile of the size the fuzzer
// makes must load (or fail) well within them, whatever it holds. The time
// is the process's CPU time, so that a busy machine does not fail the test;
// fuzzLoadWall bounds the wall-clock time too, for a Load that would wait
// without working.
const (
	fuzzLoadTime  = 2 * time.Second
	fuzzLoadWall  = 30 * time.Second
	fuzzLoadAlloc = 256 << 20
)

// boundedLoad loads the Buildfile at path in a goroutine and fails t if
// Load takes longer than fuzzLoadTime of CPU or fuzzLoadWall in all (then
// it is left running), or allocates more than fuzzLoadAlloc bytes in all.
func boundedLoad(t *testing.T, path string) (*Graph, error) {
	t.Helper()
	type result struct {
		g   *Graph
		err error
	}
	done := make(chan result, 1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start, cpu0 := time.Now(), cpuTime(t)
	go func() {
		g, err := Load(path)
		done <- result{g, err}
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r := <-done:
			runtime.ReadMemStats(&after)
			if n := after.TotalAlloc - before.TotalAlloc; n > fuzzLoadAlloc {
				t.Fatalf("Load allocated %d MiB, more than %d MiB", n>>20, fuzzLoadAlloc>>20)
			}
			return r.g, r.err
		case <-tick.C:
			if cpu := cpuTime(t) - cpu0; cpu > fuzzLoadTime {
				t.Fatalf("Load did not return within %v of CPU time", fuzzLoadTime)
			}
			if time.Since(start) > fuzzLoadWall {
				t.Fatalf("Load did not return within %v", fuzzLoadWall)
			}
		}
	}
}

// cpuTime is the CPU time the process has used so far.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// FuzzLoad checks that no Buildfile makes Load panic, hang (over
// fuzzLoadTime of CPU) or allocate without bound (over fuzzLoadAlloc), with its
// variables, rules, globs, braces and includes expanded over fuzzTree; that
// every failure is an *Error that says something; and that every success is
// a DAG in topological order whose reverse deps mirror its deps.
func FuzzLoad(f *testing.F) {
	seedBuildfiles(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		writeFiles(t, dir, fuzzTree)
		path := filepath.Join(dir, "Buildfile.toml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		g, err := boundedLoad(t, path)
		if err != nil {
			var gerr *Error
			if !errors.As(err, &gerr) || strings.TrimSpace(gerr.Msg) == "" {
				t.Fatalf("Load failed without a useful *Error: %#v", err)
			}
			return
		}
		for i, tg := range g.Targets {
			if tg.ID != i {
				t.Fatalf("target %q has ID %d at index %d", tg.Name, tg.ID, i)
			}
			for _, d := range tg.Deps {
				if d.ID >= i {
					t.Fatalf("dep %q of %q comes after it", d.Name, tg.Name)
				}
				found := false
				for _, r := range d.RDeps {
					found = found || r == tg
				}
				if !found {
					t.Fatalf("%q depends on %q, which does not list it as a reverse dep", tg.Name, d.Name)
				}
			}
			if got, ok := g.Lookup(tg.Name); !ok || got != tg {
				t.Fatalf("Lookup(%q) does not find the target", tg.Name)
			}
		}
		if _, err := g.Select(nil); err != nil {
			var gerr *Error
			if !errors.As(err, &gerr) {
				t.Fatalf("Select failed without an *Error: %v", err)
			}
		}
	})
}

// FuzzExpand checks variable expansion: no panic, `$$` is a literal `$`,
// and a string without `$` comes out unchanged.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"", "plain", "$$", "${a}", "${", "${}", "$HOME $(date)", "${a}${b}$$${c", "$${a}", "${target}", "x$"} {
		f.Add(s, "value of a ${b}", "b")
	}
	f.Fuzz(func(t *testing.T, s, a, b string) {
		x := newExpander(&source{file: "Buildfile.toml"}, map[string]text{"a": {s: a}, "b": {s: b}}, []string{"a", "b"}, nil)
		out, err := x.expand(s, &scope{})
		if err != nil {
			if err.msg == "" || err.offset < 0 || err.offset > len(s) {
				t.Fatalf("bad error for %q: %+v", s, err)
			}
			return
		}
		if !strings.Contains(s, "$") && out != s {
			t.Fatalf("expand(%q) = %q, want it unchanged", s, out)
		}
		if strings.Count(s, "$") == 2 && s == "$$" && out != "$" {
			t.Fatalf("expand(%q) = %q, want %q", s, out, "$")
		}
	})
}
