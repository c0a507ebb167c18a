package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// maxQueuedEvents is the length of the kernel's inotify queue.
func maxQueuedEvents(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/fs/inotify/max_queued_events")
	if err != nil {
		t.Skipf("no inotify: %v", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		t.Skipf("max_queued_events: %q", b)
	}
	if n > 1<<20 {
		t.Skipf("max_queued_events is %d: too many files to make", n)
	}
	return n
}

// An inotify queue that overflows while the server is idle, losing the
// event of an edited input among more changes than the queue holds: the
// server's log says so, its next build stats every file and runs what a
// standalone build runs, and the no-ops after it are right again.
func TestServerInotifyOverflow(t *testing.T) {
	n := maxQueuedEvents(t)
	tw := newTwin(t, serverFiles)
	tw.expect(nil, 0, "gen", "upper")
	tw.expect(nil, 0)
	tw.expect(nil, 0)
	if got := replayed(t, tw.server); got != 1 {
		t.Fatalf("%d no-ops told from memory before the overflow, want 1", got)
	}
	// The server stopped, the queue fills: the edit comes after it is
	// full, so its event is lost for sure.
	if err := syscall.Kill(tw.serverPID, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := true
	resume := func() {
		if stopped {
			syscall.Kill(tw.serverPID, syscall.SIGCONT)
			stopped = false
		}
	}
	defer resume()
	tw.do(func(dir string) {
		for i := range n + 1000 {
			name := filepath.Join(dir, fmt.Sprintf("junk-%d.txt", i))
			if err := os.WriteFile(name, []byte("j"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(t, filepath.Join(dir, "src.txt"), "hello, lost event\n")
	})
	resume()
	tw.expect(nil, 0, "gen", "upper")
	log := read(t, filepath.Join(tw.server, ".gobuildj", "server.log"))
	if !strings.Contains(log, "inotify lost events") || !strings.Contains(log, "overflow") {
		t.Errorf("the server's log does not say that inotify lost events:\n%s", log)
	}
	if got := read(t, filepath.Join(tw.server, "build/upper.txt")); got != "HELLO, LOST EVENT\n" {
		t.Errorf("build/upper.txt = %q", got)
	}
	tw.expect(nil, 0)
	tw.expect(nil, 0)
	if got := replayed(t, tw.server); got != 2 {
		t.Errorf("%d no-ops told from memory, want 2", got)
	}
	// The stats are kept again: an edit is seen by its event.
	tw.do(func(dir string) { write(t, filepath.Join(dir, "src.txt"), "hello again\n") })
	tw.expect(nil, 0, "gen", "upper")
	tw.expect(nil, 0)
}
