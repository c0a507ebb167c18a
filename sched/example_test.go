package sched_test

import (
	"fmt"
	"log"

	"github.com/gobuildj/gobuildj/sched"
)

// The task function is registered in an init function (here:
// sched.Register("example.upper", ...) in tasks_test.go), and main (here:
// TestMain) starts with:
//
//	if sched.IsWorker() {
//		sched.WorkerMain()
//	}
func ExampleScheduler() {
	s := sched.New(sched.Options{Jobs: 2})
	words := []string{"make", "ninja", "tezt"}
	upper := make([]string, len(words))
	for i, w := range words {
		s.AddTask(&sched.Task{
			Func:    "example.upper",
			Payload: []byte(w),
			OnFinish: func(r sched.Result) {
				if r.Err != nil {
					log.Printf("%s: %v", w, r.Err)
					return
				}
				upper[i] = string(r.Value)
			},
		})
	}
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(upper)
	// Output: [MAKE NINJA TEZT]
}
