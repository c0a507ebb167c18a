// Command tracecost measures what observing and confining commands costs:
// full builds of a C project, plain and with other gobuildj flags (tracing,
// the sandbox), in interleaved rounds, so that a slow spell of the machine
// hits every variant alike. It prints a Markdown table of medians and
// ratios to the first variant.
//
//	go run ./bench/tracecost -gobuildj bin/gobuildj -project examples/c \
//	    -variant plain= -variant traced=--trace -variant sandboxed=--sandbox
//	go run ./bench/tracecost -gobuildj bin/gobuildj -sources 300 ...
//
// With -sources N it generates a C project of N sources, each about 150
// lines including three of N/10 headers, compiled with a depfile and
// linked; with -project it copies that folder. Every variant builds its own
// copy: each round removes the outputs and the state and builds all. The
// CPU time is that of gobuildj with its workers and commands (what wait4
// reports of a process includes the children it waited for): on a busy
// machine it varies less than the wall time.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// variant is one way of running gobuildj: a name and its extra flags.
type variant struct {
	name  string
	flags []string
	dir   string
	times []time.Duration
	cpu   []time.Duration // user and system time of gobuildj and all it waited for
}

type variantFlags []*variant

func (v *variantFlags) String() string { return fmt.Sprint(len(*v)) }

func (v *variantFlags) Set(s string) error {
	name, flags, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return errors.New("want name=flags")
	}
	*v = append(*v, &variant{name: name, flags: strings.Fields(flags)})
	return nil
}

func main() {
	var variants variantFlags
	gobuildj := flag.String("gobuildj", "bin/gobuildj", "gobuildj binary")
	project := flag.String("project", "", "a project folder to copy (its Buildfile.toml builds it)")
	sources := flag.Int("sources", 0, "generate a C project with this many sources instead")
	rounds := flag.Int("rounds", 7, "interleaved rounds")
	jobs := flag.Int("j", 2, "jobs")
	flag.Var(&variants, "variant", "name=flags: a way to run gobuildj (repeatable; the first is the reference)")
	flag.Parse()
	if err := run(*gobuildj, *project, *sources, *rounds, *jobs, variants); err != nil {
		fmt.Fprintln(os.Stderr, "tracecost:", err)
		os.Exit(1)
	}
}

func run(gobuildj, project string, sources, rounds, jobs int, variants []*variant) error {
	if len(variants) == 0 {
		return errors.New("no -variant given")
	}
	bin, err := filepath.Abs(gobuildj)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "tracecost")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	for _, v := range variants {
		v.dir = filepath.Join(work, v.name)
		switch {
		case sources > 0:
			err = generate(v.dir, sources)
		case project != "":
			err = exec.Command("cp", "-a", project, v.dir).Run()
		default:
			err = errors.New("give -project or -sources")
		}
		if err != nil {
			return fmt.Errorf("prepare %s: %w", v.name, err)
		}
	}
	for r := 0; r < rounds; r++ {
		for i := range variants {
			v := variants[(r+i)%len(variants)]
			if err := clean(bin, v.dir); err != nil {
				return err
			}
			args := append([]string{"-j", fmt.Sprint(jobs), "-s"}, v.flags...)
			cmd := exec.Command(bin, args...)
			cmd.Dir = v.dir
			start := time.Now()
			out, err := cmd.CombinedOutput()
			if err != nil {
				return fmt.Errorf("%s: gobuildj %s: %v\n%s", v.name, strings.Join(args, " "), err, out)
			}
			v.times = append(v.times, time.Since(start))
			v.cpu = append(v.cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		}
	}
	ref, refCPU := median(variants[0].times), median(variants[0].cpu)
	fmt.Printf("| variant | flags | median full build | ratio | median CPU time | ratio |\n|---|---|---|---|---|---|\n")
	for _, v := range variants {
		m, c := median(v.times), median(v.cpu)
		fmt.Printf("| %s | `%s` | %.3f s | %.3f | %.3f s | %.3f |\n", v.name, strings.Join(v.flags, " "),
			m.Seconds(), float64(m)/float64(ref), c.Seconds(), float64(c)/float64(refCPU))
	}
	return nil
}

// clean removes what a build made: gobuildj clean, then the state folder.
func clean(bin, dir string) error {
	cmd := exec.Command(bin, "clean")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("clean %s: %v\n%s", dir, err, out)
	}
	return os.RemoveAll(filepath.Join(dir, ".gobuildj"))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// generate writes a C project of n sources under dir.
func generate(dir string, n int) error {
	headers := max(n/10, 3)
	write := func(name, text string) error {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, []byte(text), 0o644)
	}
	for h := range headers {
		text := fmt.Sprintf("#ifndef H%d\n#define H%d\n#include <stdio.h>\n#include <string.h>\nstatic inline int h%d(int x) { return x * %d + 1; }\n#endif\n", h, h, h, h+3)
		if err := write(fmt.Sprintf("include/h%d.h", h), text); err != nil {
			return err
		}
	}
	var calls strings.Builder
	for s := range n {
		var b strings.Builder
		for k := range 3 {
			fmt.Fprintf(&b, "#include \"h%d.h\"\n", (s*7+k*13)%headers)
		}
		for f := range 12 {
			fmt.Fprintf(&b, "static int f%d_%d(const char *s, int n) {\n\tint acc = %d;\n\tfor (int i = 0; i < n; i++) {\n\t\tacc = acc * 31 + s[i %% (int)strlen(s)];\n\t\tif (acc %% 7 == %d) acc ^= i;\n\t}\n\treturn acc;\n}\n", s, f, f, f%7)
		}
		fmt.Fprintf(&b, "int unit%d(int n) {\n\tint t = 0;\n", s)
		for f := range 12 {
			fmt.Fprintf(&b, "\tt += f%d_%d(\"unit\", n + %d);\n", s, f, f)
		}
		fmt.Fprintf(&b, "\treturn t + h%d(n);\n}\n", (s*7)%headers)
		if err := write(fmt.Sprintf("src/u%d.c", s), b.String()); err != nil {
			return err
		}
		fmt.Fprintf(&calls, "\tt += unit%d(argc);\n", s)
	}
	var decls strings.Builder
	for s := range n {
		fmt.Fprintf(&decls, "int unit%d(int);\n", s)
	}
	main := "#include <stdio.h>\n" + decls.String() + "int main(int argc, char **argv) {\n\t(void)argv;\n\tint t = 0;\n" + calls.String() + "\tprintf(\"%d\\n\", t);\n\treturn 0;\n}\n"
	if err := write("main/main.c", main); err != nil {
		return err
	}
	buildfile := `default = ["app"]

[vars]
cflags = "-O2 -Iinclude"

[rules.obj]
foreach = "src/*.c"
inputs  = ["${match}"]
outputs = ["build/${stem}.o"]
depfile = "build/${stem}.d"
cmd     = "cc ${cflags} -MMD -MF build/${stem}.d -c ${in} -o ${out}"

[targets.main]
inputs  = ["main/main.c"]
outputs = ["build/main.o"]
cmd     = "cc -O2 -c ${in} -o ${out}"

[targets.app]
deps    = ["obj", "main"]
outputs = ["build/app"]
cmd     = "cc -o ${out} ${deps}"
`
	return write("Buildfile.toml", buildfile)
}
