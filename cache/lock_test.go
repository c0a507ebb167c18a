package cache

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// holderEnv makes the test binary a helper process that opens the store of
// the folder it names, prints "locked", and holds the store until its
// stdin is closed.
const holderEnv = "GOBUILDJ_CACHE_TEST_HOLD_LOCK"

func TestMain(m *testing.M) {
	if dir := os.Getenv(holderEnv); dir != "" {
		os.Exit(holdLock(dir))
	}
	os.Exit(m.Run())
}

func holdLock(dir string) int {
	s, err := Open(dir)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	if err := s.Close(); err != nil {
		fmt.Println(err)
		return 1
	}
	return 0
}

// startHolder starts a helper process holding the store of dir and waits
// until it holds it.
func startHolder(t *testing.T, dir string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holderEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- l
		io.Copy(io.Discard, stdout)
	}()
	select {
	case l := <-line:
		if l != "locked\n" {
			t.Fatalf("the helper did not take the lock: %q", l)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the helper did not take the lock within 10s")
	}
	return cmd, stdin
}

// TestLockOtherProcess: while another process holds the state, Open fails
// naming it; once it closes the store, or dies by SIGKILL, Open succeeds.
func TestLockOtherProcess(t *testing.T) {
	dir := t.TempDir()

	cmd, stdin := startHolder(t, dir)
	_, err := Open(dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", cmd.Process.Pid)) {
		t.Fatalf("Open while another process holds the state: err = %v, want ErrLocked naming pid %d", err, cmd.Process.Pid)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the helper failed to close its store: %v", err)
	}
	mustClose(t, mustOpen(t, dir))

	cmd, _ = startHolder(t, dir)
	if _, err := Open(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second holder: err = %v, want ErrLocked", err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	mustClose(t, mustOpen(t, dir)) // the kernel released the dead holder's lock
}
