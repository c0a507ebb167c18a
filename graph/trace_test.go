package graph

import "testing"

// TestTraceKey checks that trace = true marks a target, and the instances
// of a rule, as traced.
func TestTraceKey(t *testing.T) {
	g, _, err := loadText(t, `
[targets.app]
outputs = ["app"]
cmd = "cat list > app"
trace = true

[targets.plain]
outputs = ["plain"]
cmd = "touch plain"

[rules.obj]
foreach = ["src/*.c"]
outputs = ["${stem}.o"]
cmd = "cc -c ${in} -o ${out}"
trace = true
`, map[string]string{"src/a.c": ""})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"app": true, "plain": false, "a.o": true}
	for name, traced := range want {
		tg, ok := g.Lookup(name)
		if !ok {
			t.Fatalf("no target %s", name)
		}
		if tg.Trace != traced {
			t.Errorf("%s: Trace = %v, want %v", name, tg.Trace, traced)
		}
	}
}

// TestTraceErrors checks the messages of a bad trace key.
func TestTraceErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "not a boolean",
			text: "[targets.a]\ncmd = \"true\"\ntrace = \"true\"\n",
			want: `Buildfile.toml:3:9: target "a": trace: expected true or false, got string "true" (write true without quotes)`,
		},
		{
			name: "no cmd",
			text: "[targets.a]\ndeps = [\"b\"]\ntrace = true\n[targets.b]\ncmd = \"true\"\n",
			want: `Buildfile.toml:3:9: target "a": trace: the target has no cmd to trace (expected trace = true only beside a cmd, whose reads it records)`,
		},
		{
			name: "synonym",
			text: "[targets.a]\ncmd = \"true\"\nauto_deps = true\n",
			want: `Buildfile.toml:3:1: targets.a: unknown key "auto_deps" (expected one of: ` + targetKeysList + `; did you mean "trace"?)`,
		},
	})
}
