package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/bench/shape"
)

// floorMarker is the first argument of the process that runs the exec
// floor: a fresh process, whose small heap makes forks as cheap as a
// build tool's, rather than the harness with its copies of every output.
const floorMarker = "-exec-floor"

// runFloor measures the exec floor in a fresh process.
func runFloor(kind string, n int, dir string, jobs int) (time.Duration, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	out, err := exec.Command(self, floorMarker, kind, strconv.Itoa(n), dir, strconv.Itoa(jobs)).Output()
	if err != nil {
		return 0, fmt.Errorf("exec floor: %w", err)
	}
	return time.ParseDuration(strings.TrimSpace(string(out)))
}

// floorMain is the floor process: it prints the floor's duration.
func floorMain(args []string) {
	n, _ := strconv.Atoi(args[1])
	jobs, _ := strconv.Atoi(args[3])
	g, err := shape.New(args[0], n)
	if err == nil {
		var d time.Duration
		if d, err = execFloor(g, args[2], jobs); err == nil {
			fmt.Println(d)
			os.Exit(0)
		}
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// execFloor runs the graph's commands in dir the cheapest way a Go program
// can: syscall.ForkExec and Wait4, jobs at a time, layer by layer, with no
// shell (cat's redirection is an open file) and nothing captured. It is
// what any build tool written in Go must pay for a full build.
func execFloor(g *shape.Graph, dir string, jobs int) (time.Duration, error) {
	progs := map[string]string{}
	for _, p := range []string{"cp", "cat"} {
		path, err := exec.LookPath(p)
		if err != nil {
			return 0, err
		}
		progs[p] = path
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return 0, err
	}
	defer null.Close()
	start := time.Now()
	if err := os.MkdirAll(filepath.Join(dir, "out"), 0o777); err != nil {
		return 0, err
	}
	for _, layer := range layers(g) {
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, jobs)
		for range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(layer) {
						return
					}
					if err := spawn(&g.Nodes[layer[i]], progs, dir, null); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// layers groups the nodes (by index) so that each reads only outputs of
// earlier layers.
func layers(g *shape.Graph) [][]int {
	level := map[string]int{}
	var out [][]int
	for i, nd := range g.Nodes {
		l := 0
		for _, d := range nd.Deps {
			l = max(l, level[d]+1)
		}
		level[nd.Name] = l
		for len(out) <= l {
			out = append(out, nil)
		}
		out[l] = append(out[l], i)
	}
	return out
}

func spawn(nd *shape.Node, progs map[string]string, dir string, null *os.File) error {
	argv := append([]string{nd.Prog}, nd.Inputs...)
	stdout := null.Fd()
	if nd.Prog == "cp" {
		argv = append(argv, nd.Out)
	} else {
		f, err := os.Create(filepath.Join(dir, nd.Out))
		if err != nil {
			return err
		}
		defer f.Close()
		stdout = f.Fd()
	}
	pid, err := syscall.ForkExec(progs[nd.Prog], argv, &syscall.ProcAttr{
		Dir: dir, Env: os.Environ(), Files: []uintptr{null.Fd(), stdout, null.Fd()},
	})
	if err != nil {
		return err
	}
	var ws syscall.WaitStatus
	for {
		_, err = syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return err
	}
	if ws.ExitStatus() != 0 {
		return fmt.Errorf("%v: exit status %d", argv, ws.ExitStatus())
	}
	return nil
}

// statFloor stats every file a no-op build must look at (the sources and
// every output), jobs goroutines at a time: what any tool that trusts
// stat pays to say "nothing to do", without starting a process.
func statFloor(g *shape.Graph, dir string, jobs int) (time.Duration, int, error) {
	seen := map[string]bool{}
	var files []string
	for _, nd := range g.Nodes {
		for _, p := range append(nd.Inputs[:len(nd.Inputs):len(nd.Inputs)], nd.Out) {
			if !seen[p] {
				seen[p] = true
				files = append(files, p)
			}
		}
	}
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return 0, 0, err
	}
	defer unix.Close(dfd)
	start := time.Now()
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var st unix.Stat_t
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				if err := unix.Fstatat(dfd, files[i], &st, 0); err != nil {
					failed.Store(fmt.Errorf("stat %s: %w", files[i], err))
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	if err, ok := failed.Load().(error); ok {
		return 0, 0, err
	}
	return d, len(files), nil
}
