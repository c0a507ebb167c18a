package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A command of the ports test is this test binary in server mode: init runs
// before TestMain, so the helper never builds gobuildj or runs tests.
func init() {
	if os.Getenv("GOBUILDJ_TEST_HELPER") == "serve" {
		if err := serveOnPorts(); err != nil {
			fmt.Fprintln(os.Stderr, "serve:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// serveOnPorts listens on every port of GOBUILDJ_PORTS, records them in
// $BARRIER/$GOBUILDJ_TARGET, waits until $BARRIER_N servers have done so
// (all run at once), then checks that each of its ports answers.
func serveOnPorts() error {
	fields := strings.Fields(os.Getenv("GOBUILDJ_PORTS"))
	if len(fields) == 0 {
		return fmt.Errorf("no GOBUILDJ_PORTS")
	}
	var ls []net.Listener
	for _, f := range fields {
		l, err := net.Listen("tcp", "127.0.0.1:"+f)
		if err != nil {
			return err
		}
		defer l.Close()
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Write([]byte("ok"))
				c.Close()
			}
		}()
		ls = append(ls, l)
	}
	dir := os.Getenv("BARRIER")
	if err := os.WriteFile(filepath.Join(dir, os.Getenv("GOBUILDJ_TARGET")), []byte(strings.Join(fields, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	want, _ := strconv.Atoi(os.Getenv("BARRIER_N"))
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		if len(ents) >= want {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d servers ran at once", len(ents), want)
		}
	}
	for _, l := range ls {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			return err
		}
		buf := make([]byte, 2)
		_, err = c.Read(buf)
		c.Close()
		if err != nil || string(buf) != "ok" {
			return fmt.Errorf("port %s answered %q, %v", l.Addr(), buf, err)
		}
	}
	return nil
}

func TestPortsForParallelServers(t *testing.T) {
	// Eight servers run at once, with two ports each: every one binds its
	// ports without a clash.
	const servers = 8
	barrier := t.TempDir()
	var bf strings.Builder
	fmt.Fprintf(&bf, "[vars]\nhelper = %q\n[targets.all]\ndeps = [", os.Args[0])
	for i := range servers {
		fmt.Fprintf(&bf, "\"s%d\", ", i)
	}
	bf.WriteString("\"none\"]\n")
	for i := range servers {
		fmt.Fprintf(&bf, "[targets.s%d]\nports = 2\ncmd = \"${helper}\"\nenv = { GOBUILDJ_TEST_HELPER = \"serve\", BARRIER = %q, BARRIER_N = \"%d\" }\n", i, barrier, servers)
	}
	bf.WriteString("[targets.none]\nports = 0\ncmd = \"echo \\\"[$GOBUILDJ_PORTS]\\\" > none.txt\"\n")
	dir := project(t, map[string]string{"Buildfile.toml": bf.String()})
	t.Setenv("GOBUILDJ_PORTS", "1 2") // gobuildj's own environment is not passed on
	mustBuild(t, dir, "-j", strconv.Itoa(servers+1))

	seen := map[string]string{}
	for i := range servers {
		name := fmt.Sprintf("s%d", i)
		ports := strings.Fields(read(t, filepath.Join(barrier, name)))
		if len(ports) != 2 {
			t.Errorf("%s got ports %q, want 2", name, ports)
		}
		for _, p := range ports {
			if other, dup := seen[p]; dup {
				t.Errorf("port %s given to %s and %s", p, other, name)
			}
			seen[p] = name
		}
	}
	if got := strings.TrimSpace(read(t, filepath.Join(dir, "none.txt"))); got != "[]" {
		t.Errorf("a target without ports saw GOBUILDJ_PORTS=%s", got)
	}
	// Nothing changed: nothing runs again.
	r := mustBuild(t, dir, "-j", strconv.Itoa(servers+1))
	if !strings.Contains(r.out, "gobuildj: 0 run") {
		t.Errorf("second build:\n%s", r.out)
	}
}
