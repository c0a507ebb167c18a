package schedx_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/schedx"
)

func TestServeProducerConsumer(t *testing.T) {
	const jobs, tasks = 2, 20
	s := sched.New(sched.Options{Jobs: jobs})
	produced := 0
	var consumed []string
	err := schedx.Serve(t.Context(), s, jobs, func(context.Context) (*sched.Task, error) {
		if busy := s.Queued() + s.Running(); busy >= jobs {
			t.Errorf("produce called with %d tasks queued or running (jobs %d)", busy, jobs)
		}
		if produced == tasks {
			return nil, schedx.ErrNoMoreTasks
		}
		produced++
		return &sched.Task{Func: "test.echo", Payload: []byte(strconv.Itoa(produced))}, nil
	}, func(task *sched.Task, r sched.Result) {
		if r.Err != nil || string(r.Value) != string(task.Payload) {
			t.Errorf("result %q, %v for %q", r.Value, r.Err, task.Payload)
		}
		consumed = append(consumed, string(r.Value))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(consumed) != tasks {
		t.Errorf("consumed %d results, want %d", len(consumed), tasks)
	}
}

func TestServeProducerError(t *testing.T) {
	const jobs = 1
	s := sched.New(sched.Options{Jobs: jobs})
	n := 0
	err := schedx.Serve(t.Context(), s, jobs, func(context.Context) (*sched.Task, error) {
		n++
		if n == 3 {
			return nil, errors.New("the source broke")
		}
		return &sched.Task{Func: "test.echo"}, nil
	}, nil)
	if err == nil || err.Error() != "the source broke" {
		t.Errorf("Serve returned %v", err)
	}
}

func TestServeShutsDownOnSIGINT(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SCHEDX_TEST_HELPER=serve")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	var workers []int
	for len(workers) < 2 && lines.Scan() {
		var pid int
		if _, err := fmt.Sscanf(lines.Text(), "ready %d", &pid); err == nil {
			workers = append(workers, pid)
		}
	}
	if len(workers) < 2 {
		t.Fatalf("the server did not start two tasks; stderr:\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var last string
	for lines.Scan() {
		last = lines.Text()
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("server: %v; stderr:\n%s", err, stderr.String())
	}
	if !strings.HasPrefix(last, "consumed 2: ") {
		t.Errorf("last line %q, want the two running tasks consumed", last)
	}
	for _, pid := range workers {
		groupGone(t, pid)
	}
}
