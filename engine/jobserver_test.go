package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestFindMakeJobserver(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(t.TempDir(), "plain")
	os.WriteFile(plain, nil, 0o600)
	rfd, wfd := int(r.Fd()), int(w.Fd())

	for _, c := range []struct {
		name, flags string
		want        *MakeJobserver
		unavailable bool
	}{
		{"no MAKEFLAGS", "", nil, false},
		{"no jobserver", "ks -j1", nil, false},
		{"pipe", fmt.Sprintf("ks -j3 --jobserver-auth=%d,%d", rfd, wfd), &MakeJobserver{R: rfd, W: wfd, Jobs: 3}, false},
		{"make before 4.2", fmt.Sprintf(" --jobserver-fds=%d,%d -j", rfd, wfd), &MakeJobserver{R: rfd, W: wfd}, false},
		{"the last one counts", fmt.Sprintf(" -j2 --jobserver-auth=98,99 -j5 --jobserver-auth=%d,%d", rfd, wfd), &MakeJobserver{R: rfd, W: wfd, Jobs: 5}, false},
		{"fifo", " -j4 --jobserver-auth=fifo:" + fifo, &MakeJobserver{Fifo: fifo, Jobs: 4}, false},
		{"variables after --", " -j2 -- X=--jobserver-auth=1,2", nil, false},
		{"closed descriptors", " -j4 --jobserver-auth=98,99", nil, true},
		{"ends swapped", fmt.Sprintf(" --jobserver-auth=%d,%d", wfd, rfd), nil, true},
		{"not a pipe", " --jobserver-auth=0,1", nil, true},
		{"not a fifo", " --jobserver-auth=fifo:" + plain, nil, true},
		{"garbage", " --jobserver-auth=three", nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Terminals or /dev/null on 0 and 1 are not pipes; under a
			// test runner they might be: skip then.
			if c.name == "not a pipe" && (isPipe(0, unix.O_RDONLY) && isPipe(1, unix.O_WRONLY)) {
				t.Skip("stdin and stdout are pipes here")
			}
			got, err := FindMakeJobserver(c.flags)
			if c.unavailable {
				if !errors.Is(err, ErrJobserverUnavailable) {
					t.Errorf("got %+v, %v; want ErrJobserverUnavailable", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestJobserverClientTakesAndReturnsTokens(t *testing.T) {
	// A client of a pipe holding two tokens: it writes none of its own,
	// and close writes back a token it still holds.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w.Write([]byte("++"))
	rfd, _ := unix.Dup(int(r.Fd()))
	wfd, _ := unix.Dup(int(w.Fd()))
	j, err := newJobserver(JobserverPipe, 8, t.TempDir(), &MakeJobserver{R: rfd, W: wfd, Jobs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, flags := j.commandSetup(8); flags != " -j3 --jobserver-auth=3,4" {
		t.Errorf("MAKEFLAGS of commands %q", flags)
	}
	// Take a token as the reader does, then close without giving it back
	// through a task: close must.
	buf := make([]byte, 1)
	if n, err := j.tr.Read(buf); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	j.mu.Lock()
	j.held++
	j.mu.Unlock()
	j.close()
	w.Close()
	left := make([]byte, 8)
	n, _ := r.Read(left)
	if string(left[:n]) != "++" {
		t.Errorf("the pipe holds %q after close, want the two tokens", left[:n])
	}
}
