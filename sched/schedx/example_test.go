package schedx_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/schedx"
)

// The examples' task functions are registered in an init function, and
// main (here: TestMain, in main_test.go) starts with:
//
//	if sched.IsWorker() {
//		sched.WorkerMain()
//	}

// rect is the payload of the typed task "example.area".
type rect struct{ W, H int }

// progress is what "example.chat" reports while it works.
type progress struct {
	Step  string
	Count int
}

func init() {
	schedx.RegisterFunc("example.area", func(_ *sched.WorkerContext, r rect) (int, error) {
		if r.W < 0 || r.H < 0 {
			return 0, fmt.Errorf("negative side in %+v", r)
		}
		return r.W * r.H, nil
	})
	// example.wait says it is ready, then works until it is told to
	// stop (WorkerContext.Done) or a minute has passed.
	sched.Register("example.wait", func(ctx *sched.WorkerContext, _ []byte) ([]byte, error) {
		if err := ctx.Send([]byte("ready")); err != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stopped by %s", sched.SignalName(ctx.Signal()))
		case <-time.After(time.Minute):
			return []byte("done"), nil
		}
	})
	// example.chat receives words from the scheduler, reports each, and
	// returns how many it got.
	schedx.RegisterFunc("example.chat", func(ctx *sched.WorkerContext, n int) (int, error) {
		for i := range n {
			word, err := schedx.Typed[string]{}.Receive(ctx)
			if err != nil {
				return i, err
			}
			if err := (schedx.Typed[progress]{}).ToScheduler(ctx, progress{Step: word, Count: i + 1}); err != nil {
				return i, err
			}
		}
		return n, nil
	})
}

// A task that runs past its TermTimeout is sent its TermSignal (SIGTERM:
// WorkerContext.Done closes) and fails with a *sched.TimeoutError, even if
// it then returns within its KillTimeout.
func Example_timeout() {
	s := sched.New(sched.Options{Jobs: 1})
	s.AddTask(&sched.Task{
		Func:        "example.wait",
		TermTimeout: 100 * time.Millisecond,
		KillTimeout: 10 * time.Second,
		OnEnd: func(r sched.Result) {
			fmt.Println(r.State, r.TimedOut)
			fmt.Println(r.Err)
		},
	})
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// failed true
	// timed out after 100ms: stopped by SIGTERM
}

// Messages both ways while a task runs, as Go values: the scheduler sends
// words from OnStart, the task reports its progress to OnMessage.
func Example_messages() {
	s := sched.New(sched.Options{Jobs: 1})
	t, err := schedx.NewTask("example.chat", 2)
	if err != nil {
		log.Fatal(err)
	}
	t.OnStart = func(ctx *sched.SchedulerContext) {
		for _, w := range []string{"make", "ninja"} {
			if err := (schedx.Typed[string]{}).ToWorker(ctx, w); err != nil {
				log.Print(err)
			}
		}
	}
	t.OnMessage = func(_ *sched.SchedulerContext, msg []byte) {
		p, err := schedx.Typed[progress]{}.Decode(msg)
		if err != nil {
			log.Print(err)
		}
		fmt.Printf("progress: %+v\n", p)
	}
	t.OnEnd = func(r sched.Result) {
		n, err := schedx.Typed[int]{}.Decode(r.Value)
		fmt.Println("words:", n, err)
	}
	s.AddTask(t)
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// progress: {Step:make Count:1}
	// progress: {Step:ninja Count:2}
	// words: 2 <nil>
}

// Stop starts nothing more and sends the running tasks their TermSignal;
// the queued tasks wait for the next Run.
func Example_stop() {
	s := sched.New(sched.Options{Jobs: 1})
	first := &sched.Task{
		Func:      "example.wait",
		OnMessage: func(*sched.SchedulerContext, []byte) { s.Stop() },
		OnEnd:     func(r sched.Result) { fmt.Println("first:", r.State, r.Err) },
	}
	second := &sched.Task{Func: "example.upper", Payload: []byte("later")}
	s.AddTask(first)
	s.AddTask(second)
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("second:", second.State())
	// Output:
	// first: failed stopped by SIGTERM
	// second: queued
}

// A typed task: the payload and the result are Go values, encoded as JSON.
func ExampleRegisterFunc() {
	s := sched.New(sched.Options{Jobs: 2})
	for _, r := range []rect{{3, 4}, {-1, 2}} {
		t, err := schedx.NewTask("example.area", r)
		if err != nil {
			log.Fatal(err)
		}
		t.OnEnd = func(res sched.Result) {
			if res.Err != nil {
				fmt.Println("error:", res.Err)
				return
			}
			area, _ := schedx.Typed[int]{}.Decode(res.Value)
			fmt.Println("area:", area)
		}
		s.AddTask(t)
		s.Run() // one at a time, for a stable output
	}
	// Output:
	// area: 12
	// error: negative side in {W:-1 H:2}
}

// A bounded queue refuses work beyond its bound (TryPush) or makes the
// producer wait for room (Push), while AddTask is never refused.
func ExampleQueue() {
	s := sched.New(sched.Options{Jobs: 1})
	q := schedx.NewQueue(s, 2)
	for _, w := range []string{"a", "b", "c"} {
		ok := q.TryPush(&sched.Task{Func: "example.upper", Payload: []byte(w),
			OnEnd: func(r sched.Result) { fmt.Println("ran", string(r.Value)) }})
		fmt.Println("pushed", w, ok)
	}
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	// Room again: Push returns at once.
	if err := q.Push(context.Background(), &sched.Task{Func: "example.upper", Payload: []byte("d")}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("waiting:", q.Len())
	s.Clear()
	// Output:
	// pushed a true
	// pushed b true
	// pushed c false
	// ran A
	// ran B
	// waiting: 1
}

// Unique runs each piece of work once at a time: a second request for the
// same Key gets the task already under way.
func ExampleUnique() {
	s := sched.New(sched.Options{Jobs: 1})
	u := schedx.NewUnique(s)
	first := &sched.Task{Func: "example.upper", Key: "index", Payload: []byte("v1")}
	u.Add(first)
	got, added := u.Add(&sched.Task{Func: "example.upper", Key: "index", Payload: []byte("v2")})
	fmt.Println(added, got == first)
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(first.State())
	// Output:
	// false true
	// succeeded
}

// The dropbox merges requests for the same work that pile up in the queue:
// the latest wins.
func ExampleDropbox() {
	s := sched.New(sched.Options{Jobs: 1})
	d := schedx.NewDropbox(s)
	for _, v := range []string{"v1", "v2", "v3"} {
		d.Drop(&sched.Task{Func: "example.upper", Key: "render", Payload: []byte(v),
			OnEnd: func(r sched.Result) {
				if r.State == sched.StateSucceeded {
					fmt.Println("rendered", string(r.Value))
				}
			}}, nil)
	}
	fmt.Println("queued:", s.Queued())
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// queued: 1
	// rendered V3
}

// A group follows a batch of tasks: progress, then the final status.
func ExampleGroup() {
	s := sched.New(sched.Options{Jobs: 2})
	g := schedx.NewGroup(s, "batch")
	for _, w := range []string{"a", "b", "c"} {
		g.Add(&sched.Task{Func: "example.upper", Payload: []byte(w)})
	}
	g.Add(&sched.Task{Func: "test.fail", Payload: []byte("boom")})
	g.Close()
	g.OnDone(func(st schedx.GroupStatus) {
		fmt.Printf("%s: %d/%d complete, %d failed, %.0f%%\n", st.Name, st.Complete, st.Total, st.Failed, st.Progress)
	})
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	// Output: batch: 4/4 complete, 1 failed, 100%
}

// A producer/consumer loop: the producer is called whenever a worker is
// free; on SIGINT (ctx) it would stop cleanly.
func ExampleServe() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	const jobs = 2
	s := sched.New(sched.Options{Jobs: jobs})
	work := []string{"x", "y", "z"}
	var results []string
	err := schedx.Serve(ctx, s, jobs, func(context.Context) (*sched.Task, error) {
		if len(work) == 0 {
			return nil, schedx.ErrNoMoreTasks
		}
		w := work[0]
		work = work[1:]
		return &sched.Task{Func: "example.upper", Payload: []byte(w)}, nil
	}, func(t *sched.Task, r sched.Result) {
		results = append(results, string(r.Value))
	})
	if err != nil {
		log.Fatal(err)
	}
	slices.Sort(results)
	fmt.Println(results)
	// Output: [X Y Z]
}

// Introspection: the queue with its times, each task's state, and the
// recent events.
func ExampleMonitor() {
	m := schedx.NewMonitor(0)
	s := sched.New(sched.Options{Jobs: 1, OnEvent: m.Observe})
	for _, k := range []string{"first", "second"} {
		s.AddTask(&sched.Task{Func: "example.upper", Key: k})
	}
	for _, p := range m.Pending() {
		fmt.Println(p.Task.Key, p.Task.State(), !p.Queued.IsZero())
	}
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	for _, e := range m.Backlog() {
		if e.Task != nil && e.Task.Key == "first" {
			fmt.Println("first:", e.Kind)
		}
	}
	// Output:
	// first queued true
	// second queued true
	// first: queued
	// first: started
	// first: finished
}
