package admit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

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
	// and Close writes back a token a job still holds.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w.Write([]byte("++"))
	rfd, _ := unix.Dup(int(r.Fd()))
	wfd, _ := unix.Dup(int(w.Fd()))
	j, err := NewJobserver(JobserverPipe, 8, t.TempDir(), &MakeJobserver{R: rfd, W: wfd, Jobs: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if flags := j.MakeFlags(); flags != " -j3 --jobserver-auth=3,4" {
		t.Errorf("MAKEFLAGS of commands %q", flags)
	}
	q := NewQueue(j)
	for i := range 3 {
		q.Add(&Job{ID: i})
	}
	if got := q.Admit(); len(got) != 3 {
		t.Fatalf("admitted %d: the implicit slot and make's two tokens make 3", len(got))
	}
	j.Close()
	w.Close()
	left := make([]byte, 8)
	n, _ := r.Read(left)
	if string(left[:n]) != "++" {
		t.Errorf("the pipe holds %q after close, want the two tokens", left[:n])
	}
}

func TestJobserverServerWaitsForATokenAndWakes(t *testing.T) {
	// A server with -j2: one implicit slot and one token. A third job
	// waits; a token written back by someone else (a sub-make) wakes the
	// queue's owner, whose next Admit uses it.
	woken := make(chan struct{}, 4)
	j, err := NewJobserver(JobserverPipe, 2, t.TempDir(), nil, func() { woken <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	q := NewQueue(LocalSlots(8), j)
	a, b, c := &Job{ID: 1}, &Job{ID: 2}, &Job{ID: 3}
	q.Add(a)
	q.Add(b)
	q.Add(c)
	if got := ids(q.Admit()); len(got) != 2 {
		t.Fatalf("admitted %v, want 2", got)
	}
	// A sub-make of another build sharing the jobserver gives a token
	// back to the pipe.
	if _, err := j.w.Write([]byte{jobToken}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woken:
	case <-time.After(10 * time.Second):
		t.Fatal("no wake after a token came back")
	}
	if got := ids(q.Admit()); len(got) != 1 || got[0] != 3 {
		t.Fatalf("admitted %v after the wake, want [3]", got)
	}
	for _, job := range []*Job{a, b, c} {
		q.Release(job)
	}
}

func TestJobserverGivesBackWhatNobodyWaitsFor(t *testing.T) {
	// A stop empties the queue while the reader holds a token read ahead:
	// it goes back to the pipe at once, not at the end of the build.
	woken := make(chan struct{}, 4)
	j, err := NewJobserver(JobserverPipe, 2, t.TempDir(), nil, func() { woken <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	q := NewQueue(j)
	running := []*Job{{ID: 1}, {ID: 2}}
	for _, r := range running {
		q.Add(r)
	}
	q.Admit()
	waiting := &Job{ID: 3}
	q.Add(waiting)
	q.Admit()
	q.Release(running[1]) // its token goes back: the reader takes it
	select {
	case <-woken:
	case <-time.After(10 * time.Second):
		t.Fatal("no wake")
	}
	q.Clear() // the build stops: nobody waits
	j.mu.Lock()
	spare, held := j.spare, j.held
	j.mu.Unlock()
	if spare != 0 || held != 0 {
		t.Fatalf("after Clear: %d spare, %d held; want the token back in the pipe", spare, held)
	}
	q.Release(running[0])
	buf := make([]byte, 4)
	n, err := unix.Read(j.tfd, buf)
	if n != 1 || err != nil {
		t.Fatalf("the pipe holds %d tokens (%v), want 1", n, err)
	}
	unix.Write(int(j.w.Fd()), buf[:1])
}
