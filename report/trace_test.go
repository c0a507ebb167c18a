package report

import (
	"bytes"
	"encoding/json"
	"testing"
)

type parsedTrace struct {
	TraceEvents []struct {
		Name string         `json:"name"`
		Ph   string         `json:"ph"`
		Ts   float64        `json:"ts"`
		Dur  float64        `json:"dur"`
		Pid  int            `json:"pid"`
		Tid  int            `json:"tid"`
		Args map[string]any `json:"args"`
	} `json:"traceEvents"`
	DisplayTimeUnit string         `json:"displayTimeUnit"`
	OtherData       map[string]any `json:"otherData"`
}

func TestTrace(t *testing.T) {
	var out bytes.Buffer
	if err := WriteTrace(&out, recordBuild(), testMeta); err != nil {
		t.Fatal(err)
	}
	var tr parsedTrace
	if err := json.Unmarshal(out.Bytes(), &tr); err != nil {
		t.Fatalf("parsing the trace back: %v\n%s", err, out.String())
	}
	threads := map[int]string{}
	type slice struct {
		tid     int
		ts, dur float64
		args    map[string]any
	}
	slices := map[string]slice{}
	var counters []map[string]any
	for _, ev := range tr.TraceEvents {
		switch {
		case ev.Ph == "M" && ev.Name == "thread_name":
			threads[ev.Tid] = ev.Args["name"].(string)
		case ev.Ph == "X":
			if _, dup := slices[ev.Name]; dup {
				t.Errorf("two complete events for %s", ev.Name)
			}
			slices[ev.Name] = slice{ev.Tid, ev.Ts, ev.Dur, ev.Args}
		case ev.Ph == "C":
			counters = append(counters, ev.Args)
		}
	}
	if len(slices) != 4 {
		t.Fatalf("%d complete events, want one per command run (4): %v", len(slices), slices)
	}
	if threads[1] != "worker 1 (pid 101)" || threads[2] != "worker 2 (pid 102)" || len(threads) != 2 {
		t.Errorf("threads: %v, want a track per worker", threads)
	}
	want := map[string]slice{
		"lib.o":  {1, 10_000, 190_000, map[string]any{"status": "ok", "cache": "miss: no previous run"}},
		"util.o": {1, 201_000, 149_000, map[string]any{"status": "failed: exit code 1", "cache": "miss: input util.c changed"}},
		"main.o": {2, 11_000, 289_000, map[string]any{"status": "ok"}},
		"lib.a":  {2, 301_000, 119_000, map[string]any{"status": "ok", "waited_for": "lib.o", "queued_ms": 101.0}},
	}
	for name, w := range want {
		got := slices[name]
		if got.tid != w.tid || got.ts != w.ts || got.dur != w.dur || got.args["target"] != name {
			t.Errorf("%s: tid %d ts %v dur %v target %v, want tid %d ts %v dur %v", name, got.tid, got.ts, got.dur, got.args["target"], w.tid, w.ts, w.dur)
		}
		for k, v := range w.args {
			if got.args[k] != v {
				t.Errorf("%s: args[%s] = %v, want %v", name, k, got.args[k], v)
			}
		}
	}
	// a sample at the start, one per start and end, one at the end
	if len(counters) != 2+8 {
		t.Errorf("%d counter samples, want 10", len(counters))
	}
	maxRunning := 0.0
	for _, c := range counters {
		if c["running"].(float64) > maxRunning {
			maxRunning = c["running"].(float64)
		}
		if _, ok := c["ready"]; !ok {
			t.Errorf("counter without ready: %v", c)
		}
	}
	if maxRunning != 2 {
		t.Errorf("running counter peaked at %v, want 2 (-j2)", maxRunning)
	}
	if tr.OtherData["failed"] != 1.0 || tr.OtherData["command"] != "gobuildj -C examples/c -k" {
		t.Errorf("otherData: %v", tr.OtherData)
	}
}
