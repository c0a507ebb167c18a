// Command compare times gobuildj next to ninja, GNU make and go-task on the
// synthetic graphs of package shape, in interleaved rounds, and prints a
// Markdown table of medians, ratios to the best peer, the floors and peak
// RSS. `make bench` runs it; it takes about 12 minutes on 2 cores.
//
// For each size it measures a full build (outputs and state removed first),
// a no-op build, and an incremental build after one source changed; above
// -noop-only it measures only the no-op (after one full build, reported as
// a single run). Every round runs each tool once, in an order that rotates
// from round to round, so that a slow spell of the machine hits all tools
// alike. After the full builds and after the incremental ones, every tool's
// outputs must be identical to gobuildj's.
//
// gobuildj-server (-server, on by default) is the same gobuildj building
// through a build server it started, untimed, in its folder (gobuildj
// server start; again after each full build's clean removed .gobuildj/): the
// client's process start and the server's build are timed, and its peak RSS
// is the server's.
//
// The floors are what no tool can beat: for a full build, the commands run
// from Go with ForkExec and Wait4, -j at a time ("exec floor"); for a no-op,
// a stat of every file the build reads or writes, -j goroutines at a time,
// in-process ("stat floor").
//
//	go run ./bench/compare -sizes 1000,10000 -tools ninja,make
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gobuildj/gobuildj/bench/shape"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// config is the command line.
type config struct {
	sizes     []int
	layered   []int
	noopOnly  int
	jobs      int
	scale     float64
	install   bool
	only      map[string]bool
	gobuildj  string
	baseline  string
	work      string
	keep      bool
	slowRun   time.Duration
	taskLimit int
	server    bool
}

func main() {
	if len(os.Args) == 6 && os.Args[1] == floorMarker {
		floorMain(os.Args[2:])
	}
	if len(os.Args) > 2 && os.Args[1] == runMarker {
		runMain(os.Args[2:])
	}
	var c config
	sizes := flag.String("sizes", "1000,10000,50000", "graph sizes (sources) of the wide shape")
	layered := flag.String("layered", "1000", "graph sizes of the layered shape (empty: none)")
	flag.IntVar(&c.noopOnly, "noop-only", 50000, "from this size on, measure only the no-op build")
	flag.IntVar(&c.jobs, "j", 2, "jobs of every tool")
	flag.Float64Var(&c.scale, "scale", 1, "multiply the number of rounds (at least one each)")
	flag.BoolVar(&c.install, "install", true, "install missing peers (apt-get, go install)")
	tools := flag.String("tools", "ninja,make,go-task", "peers to compare with")
	flag.StringVar(&c.gobuildj, "gobuildj", "", "gobuildj binary (default: build ./cmd/gobuildj with CGO_ENABLED=0)")
	flag.StringVar(&c.baseline, "baseline", "", "a second gobuildj `binary` (an older build) run in the same interleaved rounds, as "+baselineName)
	flag.StringVar(&c.work, "work", "", "folder for the graphs (default: a temporary one, removed at the end)")
	flag.DurationVar(&c.slowRun, "slow", 20*time.Second, "a tool whose run takes longer is run once per scenario")
	flag.IntVar(&c.taskLimit, "task-max", 10000, "largest size go-task is run at (its 50,000 full build takes minutes)")
	flag.BoolVar(&c.server, "server", true, "also time gobuildj through a running build server (gobuildj server), as "+serverName)
	flag.Parse()
	var err error
	if c.sizes, err = parseSizes(*sizes); err == nil {
		c.layered, err = parseSizes(*layered)
	}
	if err != nil {
		logf("%v", err)
		os.Exit(2)
	}
	c.only = map[string]bool{}
	for _, t := range strings.Split(*tools, ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.only[t] = true
		}
	}
	if err := run(&c); err != nil {
		logf("%v", err)
		os.Exit(1)
	}
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("size %q: expected a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(c *config) error {
	start := time.Now()
	if c.work == "" {
		dir, err := os.MkdirTemp("", "gobuildj-bench-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.work = dir
	}
	gb, err := gobuildjTool(c, "gobuildj", c.gobuildj)
	if err != nil {
		return err
	}
	tools := []tool{gb}
	if c.server {
		sv := gb
		sv.name, sv.server = serverName, map[string]int{}
		tools = append(tools, sv)
	}
	if c.baseline != "" {
		before, err := gobuildjTool(c, baselineName, c.baseline)
		if err != nil {
			return err
		}
		tools = append(tools, before)
	}
	tools = append(tools, findPeers(c.install, c.only)...)
	var rows []*row
	for _, sh := range []struct {
		kind  string
		sizes []int
	}{{"wide", c.sizes}, {"layered", c.layered}} {
		for _, n := range sh.sizes {
			r, err := measure(c, tools, sh.kind, n)
			rows = append(rows, r...)
			if err != nil {
				printTables(os.Stdout, c, tools, rows, time.Since(start))
				return err
			}
		}
	}
	logf("hashing a 1 GiB file")
	hash, err := measureHashing(c.work, 1<<30, 5)
	if err != nil {
		return err
	}
	printTables(os.Stdout, c, tools, rows, time.Since(start))
	fmt.Println()
	fmt.Println(hash)
	return nil
}

// baselineName names the tool of -baseline in the tables.
const baselineName = "gobuildj-before"

// serverName names gobuildj through its build server in the tables.
const serverName = "gobuildj-server"

// isGobuildj says whether a tool of the tables is gobuildj itself, not a
// peer.
func isGobuildj(name string) bool { return name == baselineName || name == serverName }

// gobuildjTool is a gobuildj binary under name: path, or when path is ""
// one built statically from this checkout, as `make build` does.
func gobuildjTool(c *config, name, path string) (tool, error) {
	if path == "" {
		path = filepath.Join(c.work, "gobuildj")
		logf("building gobuildj (CGO_ENABLED=0)")
		cmd := exec.Command("go", "build", "-o", path, "./cmd/gobuildj")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return tool{}, fmt.Errorf("build gobuildj: %v\n%s", err, out)
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return tool{}, err
	}
	return tool{
		name:  name,
		path:  abs,
		args:  func(j int) []string { return []string{"-j" + strconv.Itoa(j), "all"} },
		state: []string{statedir.Name},
		version: func() string {
			out, _ := exec.Command(abs, "version").Output()
			return strings.TrimSpace(string(out))
		}(),
	}, nil
}

// row is one line of the table: a scenario at one size.
type row struct {
	scenario string
	shape    string
	n        int
	times    map[string][]time.Duration // by tool
	rss      map[string]int64           // by tool: the largest peak of its runs
	skipped  map[string]string          // by tool: why it did not run
	floor    []time.Duration
	floorIs  string
}

func newRow(scenario, kind string, n int) *row {
	return &row{scenario: scenario, shape: kind, n: n, times: map[string][]time.Duration{},
		rss: map[string]int64{}, skipped: map[string]string{}}
}

func (r *row) add(name string, s sample) {
	r.times[name] = append(r.times[name], s.wall)
	r.rss[name] = max(r.rss[name], s.rss)
}

// rounds returns how many rounds a scenario gets at size n.
func (c *config) rounds(scenario string, n int) int {
	base := map[string][3]int{"full": {5, 3, 1}, "no-op": {10, 5, 3}, "one change": {10, 5, 3}}[scenario]
	k := 2
	switch {
	case n <= 1000:
		k = 0
	case n <= 10000:
		k = 1
	}
	return max(1, int(float64(base[k])*c.scale+0.5))
}

// measure runs every scenario at one size and shape.
func measure(c *config, all []tool, kind string, n int) ([]*row, error) {
	g, err := shape.New(kind, n)
	if err != nil {
		return nil, err
	}
	var tools []tool
	skipped := map[string]string{}
	for _, t := range all {
		if t.name == "go-task" && n > c.taskLimit {
			skipped[t.name] = fmt.Sprintf("not run above %d (-task-max)", c.taskLimit)
			logf("%s %d: skipping go-task: %s", kind, n, skipped[t.name])
			continue
		}
		tools = append(tools, t)
	}
	dirs := map[string]string{}
	logf("%s %d: writing the graph for %d tools", kind, n, len(tools))
	for _, t := range append(tools, tool{name: "floor"}) {
		dir := filepath.Join(c.work, fmt.Sprintf("%s-%d", kind, n), t.name)
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		if err := g.Write(dir); err != nil {
			return nil, err
		}
		dirs[t.name] = dir
	}
	if !c.keep {
		defer os.RemoveAll(filepath.Join(c.work, fmt.Sprintf("%s-%d", kind, n)))
	}
	for _, t := range tools {
		defer t.stopServer(dirs[t.name])
	}
	var rows []*row
	mark := func(r *row) *row {
		for k, v := range skipped {
			r.skipped[k] = v
		}
		rows = append(rows, r)
		return r
	}

	// Full builds.
	full := mark(newRow("full build", kind, n))
	full.floorIs = "exec"
	fullRounds := c.rounds("full", n)
	if n >= c.noopOnly {
		fullRounds = 1
	}
	slow := map[string]bool{}
	for round := range fullRounds {
		logf("%s %d: full build, round %d of %d", kind, n, round+1, fullRounds)
		for _, t := range rotate(tools, round, true) {
			if t.name == "floor" {
				os.RemoveAll(filepath.Join(dirs["floor"], "out"))
				d, err := runFloor(kind, n, dirs["floor"], c.jobs)
				if err != nil {
					return rows, fmt.Errorf("exec floor: %w", err)
				}
				full.floor = append(full.floor, d)
				continue
			}
			if slow[t.name] {
				continue
			}
			if err := t.clean(dirs[t.name]); err != nil {
				return rows, err
			}
			s, err := t.run(dirs[t.name], c.jobs)
			if err != nil {
				return rows, err
			}
			full.add(t.name, s)
			if s.wall > c.slowRun {
				slow[t.name] = true
			}
		}
	}
	if err := sameOutputs(tools, dirs, g); err != nil {
		return rows, fmt.Errorf("%s %d, after the full build: %w", kind, n, err)
	}

	// No-op builds, after one untimed no-op each (the first may write
	// caches of its own).
	noop := mark(newRow("no-op", kind, n))
	noop.floorIs = "stat"
	for _, t := range tools {
		if _, err := t.run(dirs[t.name], c.jobs); err != nil {
			return rows, err
		}
	}
	noopRounds := c.rounds("no-op", n)
	var files int
	for round := range noopRounds {
		logf("%s %d: no-op build, round %d of %d", kind, n, round+1, noopRounds)
		for _, t := range rotate(tools, round, true) {
			if t.name == "floor" {
				d, k, err := statFloor(g, dirs["floor"], c.jobs)
				if err != nil {
					return rows, fmt.Errorf("stat floor: %w", err)
				}
				noop.floor, files = append(noop.floor, d), k
				continue
			}
			s, err := t.run(dirs[t.name], c.jobs)
			if err != nil {
				return rows, err
			}
			noop.add(t.name, s)
		}
	}
	noop.floorIs = fmt.Sprintf("stat %d files", files)
	if n >= c.noopOnly {
		return rows, nil
	}

	// One source changed, then built: its object (and, layered, its
	// library and the binary) run again.
	incr := mark(newRow("one change", kind, n))
	rounds := c.rounds("one change", n)
	k := n / 2
	src := fmt.Sprintf("src/%d.txt", k)
	for round := range rounds {
		logf("%s %d: one changed source, round %d of %d", kind, n, round+1, rounds)
		content := fmt.Appendf(nil, "source %d, edit %d\n", k, round)
		for _, t := range rotate(tools, round, false) {
			if err := os.WriteFile(filepath.Join(dirs[t.name], src), content, 0o644); err != nil {
				return rows, err
			}
			s, err := t.run(dirs[t.name], c.jobs)
			if err != nil {
				return rows, err
			}
			got, err := os.ReadFile(filepath.Join(dirs[t.name], "out", fmt.Sprintf("%d.o", k)))
			if err != nil || !bytes.Equal(got, content) {
				return rows, fmt.Errorf("%s did not rebuild out/%d.o after %s changed (it holds %q)", t.name, k, src, got)
			}
			incr.add(t.name, s)
		}
	}
	if err := sameOutputs(tools, dirs, g); err != nil {
		return rows, fmt.Errorf("%s %d, after the incremental builds: %w", kind, n, err)
	}
	return rows, nil
}

// rotate returns the tools (and, with floor, the floor) in the order of
// round r: the first r are moved to the end.
func rotate(tools []tool, r int, floor bool) []tool {
	order := slices.Clone(tools)
	if floor {
		order = append(order, tool{name: "floor"})
	}
	r %= len(order)
	return append(order[r:], order[:r]...)
}

// sameOutputs checks that every tool's out/ holds the same files with the
// same bytes as gobuildj's, and every output of the graph.
func sameOutputs(tools []tool, dirs map[string]string, g *shape.Graph) error {
	ref := filepath.Join(dirs[tools[0].name], "out")
	want, err := readTree(ref)
	if err != nil {
		return err
	}
	for _, nd := range g.Nodes {
		if _, ok := want[strings.TrimPrefix(nd.Out, "out/")]; !ok {
			return fmt.Errorf("%s did not write %s", tools[0].name, nd.Out)
		}
	}
	for _, t := range tools[1:] {
		got, err := readTree(filepath.Join(dirs[t.name], "out"))
		if err != nil {
			return err
		}
		for p, b := range want {
			if !bytes.Equal(got[p], b) {
				return fmt.Errorf("out/%s differs between %s and %s", p, tools[0].name, t.name)
			}
		}
		if len(got) != len(want) {
			return fmt.Errorf("%s wrote %d files in out/, %s %d", t.name, len(got), tools[0].name, len(want))
		}
	}
	logf("outputs identical across %d tools (%d files)", len(tools), len(want))
	return nil
}

func readTree(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = b
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is missing", dir)
	}
	return files, err
}

// median of ds (the lower middle of an even count).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

func machine() string {
	cpu := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(l, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	kernel := "?"
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("%s, %d CPUs, Linux %s, %s", cpu, runtime.NumCPU(), kernel, runtime.Version())
}
