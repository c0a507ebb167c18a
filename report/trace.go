package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// traceEvent is one event of the Chrome trace-event format (the JSON that
// Perfetto and chrome://tracing load): "X" a complete event with a
// duration, "C" a counter, "M" metadata naming a process or a thread.
type traceEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"` // microseconds since the build started
	Dur  *float64       `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	Args map[string]any `json:"args,omitempty"`
}

// tracePid is the trace's one process: the build.
const tracePid = 1

// WriteTrace writes the build as Chrome trace-event JSON: one complete event
// per target whose commands ran, on a track per worker process, with the
// target, its exit status and its cache state (why it missed) in args; and
// a counter of the targets running in workers and of those ready and waiting
// for one.
func WriteTrace(w io.Writer, b *Build, meta Meta) error {
	start := b.Start()
	us := func(t time.Time) float64 { return float64(t.Sub(start).Nanoseconds()) / 1e3 }
	var events []traceEvent
	events = append(events, traceEvent{Name: "process_name", Ph: "M", Pid: tracePid,
		Args: map[string]any{"name": "gobuildj " + meta.Folder}})
	for k, lane := range b.Lanes() {
		tid := k + 1
		name := fmt.Sprintf("worker %d (pid %d)", tid, lane.Worker)
		if lane.Worker == 0 {
			name = "never reached a worker"
		}
		events = append(events,
			traceEvent{Name: "thread_name", Ph: "M", Pid: tracePid, Tid: tid, Args: map[string]any{"name": name}},
			traceEvent{Name: "thread_sort_index", Ph: "M", Pid: tracePid, Tid: tid, Args: map[string]any{"sort_index": tid}},
		)
		for _, i := range lane.Commands {
			c := b.Commands[i]
			dur := us(c.End) - us(c.Start)
			status := "ok"
			if !c.OK {
				status = "failed: " + failureMessage(c)
			}
			args := map[string]any{
				"target":      c.Target,
				"description": c.Description,
				"status":      status,
				"cache":       "miss: " + orUnknown(c.Reason.String()),
				"queued_ms":   float64(c.Start.Sub(c.Queued).Microseconds()) / 1e3,
			}
			if len(c.Deps) > 0 {
				args["waited_for"] = strings.Join(c.Deps, " ")
			}
			events = append(events, traceEvent{
				Name: c.Target, Cat: "command", Ph: "X", Ts: us(c.Start), Dur: &dur,
				Pid: tracePid, Tid: tid, Args: args,
			})
		}
	}
	events = append(events, traceEvent{Name: "tasks", Ph: "C", Ts: 0, Pid: tracePid,
		Args: map[string]any{"running": 0, "ready": 0}})
	for _, s := range b.Load {
		events = append(events, traceEvent{Name: "tasks", Ph: "C", Ts: us(s.Time), Pid: tracePid,
			Args: map[string]any{"running": s.Running, "ready": s.Ready}})
	}
	events = append(events, traceEvent{Name: "tasks", Ph: "C", Ts: us(b.End()), Pid: tracePid,
		Args: map[string]any{"running": 0, "ready": 0}})

	bw := bufio.NewWriter(w)
	doc := struct {
		TraceEvents     []traceEvent   `json:"traceEvents"`
		DisplayTimeUnit string         `json:"displayTimeUnit"`
		OtherData       map[string]any `json:"otherData"`
	}{events, "ms", map[string]any{
		"buildfile":  meta.Buildfile,
		"command":    strings.Join(append([]string{"gobuildj"}, meta.Args...), " "),
		"jobs":       meta.Jobs,
		"run":        b.Summary.Run,
		"up_to_date": b.Summary.UpToDate,
		"failed":     b.Summary.Failed,
		"not_run":    b.Summary.NotRun,
		"wall_ms":    float64(b.Summary.Wall.Microseconds()) / 1e3,
	}}
	enc := json.NewEncoder(bw)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
