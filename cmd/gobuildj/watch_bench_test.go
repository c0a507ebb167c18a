package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/bench/shape"
)

// BenchmarkWatchLatency measures how long `gobuildj watch` takes from the
// save of an input to the start of the command that reads it, on graphs of
// 1000, 10000 and 50000 targets (the "wide" shape of bench/gen: a cp per
// source file, an alias per 100, and all). One target in 1000 is a probe:
// its command, run through the shell, first writes to a fifo when its input
// starts with "bench", which is when the benchmark stops its clock. Each
// iteration rewrites the input of one probe and waits for the build it
// causes to end. The debounce is 1ms, so that the numbers are gobuildj's
// own work; the default debounce (50ms) comes on top. The graph is built
// once per size, by a plain build, before the clock starts.
//
//	go test ./cmd/gobuildj -run '^$' -bench WatchLatency -benchtime 50x
//
// It reports the median and the 90th percentile (ms/save, p90-ms/save);
// ns/op is a whole iteration, the build's end included.
func BenchmarkWatchLatency(b *testing.B) {
	for _, n := range []int{1000, 10000, 50000} {
		b.Run(fmt.Sprintf("targets=%d", n), func(b *testing.B) {
			w := startLatencyWatch(b, n)
			defer w.close()
			b.Run("save", w.measure)
		})
	}
}

// latencyWatch is a watch of a wide graph with probes, for the benchmark.
type latencyWatch struct {
	cmd     *exec.Cmd
	fifo    *os.File
	probes  []string
	started chan time.Time
	lines   chan string
	saves   int
}

func startLatencyWatch(b *testing.B, n int) *latencyWatch {
	dir := b.TempDir()
	fifo := filepath.Join(dir, "started.fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		b.Fatal(err)
	}
	w := &latencyWatch{probes: writeWideGraph(b, dir, n, fifo), started: make(chan time.Time, 16), lines: make(chan string, 1000)}
	// The first build, as a plain one: watch then starts with nothing to do.
	build := exec.Command(binary)
	build.Dir = dir
	build.Env = append(os.Environ(), "CI=true")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("first build: %v\n%s", err, out)
	}
	// O_RDWR: the open does not wait for a writer, and the fifo never
	// reports EOF between two commands.
	f, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	w.fifo = f
	go func() {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			w.started <- time.Now()
		}
	}()
	w.cmd = exec.Command(binary, "watch", "--debounce", "1ms")
	w.cmd.Dir = dir
	w.cmd.Env = append(os.Environ(), "CI=true")
	out, err := w.cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	w.cmd.Stderr = w.cmd.Stdout
	if err := w.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
		close(w.lines)
	}()
	w.waitLine(b, "gobuildj watch: watching")
	return w
}

func (w *latencyWatch) close() {
	w.cmd.Process.Signal(syscall.SIGINT)
	w.cmd.Wait()
	w.fifo.Close()
}

// waitLine reads watch's output until a line starts with prefix.
func (w *latencyWatch) waitLine(b *testing.B, prefix string) {
	deadline := time.After(5 * time.Minute)
	for {
		select {
		case line, ok := <-w.lines:
			if !ok {
				b.Fatalf("watch ended while waiting for %q", prefix)
			}
			if strings.HasPrefix(line, prefix) {
				return
			}
		case <-deadline:
			b.Fatalf("no %q within 5 minutes", prefix)
		}
	}
}

// measure saves a probe's input b.N times.
func (w *latencyWatch) measure(b *testing.B) {
	latencies := make([]time.Duration, 0, b.N)
	for range b.N {
		w.saves++
		probe := w.probes[w.saves%len(w.probes)]
		save := time.Now()
		if err := os.WriteFile(probe, []byte(fmt.Sprintf("bench %d\n", w.saves)), 0o644); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-w.started:
			latencies = append(latencies, at.Sub(save))
		case <-time.After(5 * time.Minute):
			b.Fatal("the probe's command did not start within 5 minutes")
		}
		w.waitLine(b, "gobuildj: 1 run")
	}
	b.StopTimer()
	slices.Sort(latencies)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(latencies[len(latencies)/2]), "ms/save")
	b.ReportMetric(ms(latencies[len(latencies)*9/10]), "p90-ms/save")
}

// writeWideGraph writes the wide graph of bench/shape with n sources,
// every thousandth target a probe, and returns the probes' inputs.
func writeWideGraph(b *testing.B, dir string, n int, fifo string) []string {
	g, err := shape.New("wide", n)
	if err != nil {
		b.Fatal(err)
	}
	var probes []string
	for i := range g.Nodes {
		if i%1000 != 500 {
			continue
		}
		nd := &g.Nodes[i]
		probes = append(probes, filepath.Join(dir, nd.Inputs[0]))
		nd.Cmd = fmt.Sprintf(`read l < ${in}; case $$l in bench*) echo started > %s;; esac; cp ${in} ${out}`, fifo)
	}
	if err := g.Write(dir); err != nil {
		b.Fatal(err)
	}
	return probes
}
