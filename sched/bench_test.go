package sched_test

import (
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// BenchmarkRoundTrip runs 1000 trivial tasks on 2 workers per iteration,
// worker start included; ns/task is the cost of one task's round trip.
func BenchmarkRoundTrip(b *testing.B) {
	const tasks = 1000
	payload := []byte("payload")
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		s := sched.New(sched.Options{Jobs: 2})
		failed := 0
		for range tasks {
			s.AddTask(&sched.Task{Func: "bench.nop", Payload: payload, OnEnd: func(r sched.Result) {
				if r.Err != nil {
					failed++
				}
			}})
		}
		if err := s.Run(); err != nil {
			b.Fatal(err)
		}
		if failed > 0 {
			b.Fatalf("%d tasks failed", failed)
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*tasks), "ns/task")
}
