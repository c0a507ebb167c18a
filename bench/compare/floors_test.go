package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/bench/shape"
)

// TestFloors runs the exec floor on both shapes: every output is what the
// build tools write (the check that compares tools relies on it), and the
// stat floor then finds every file.
func TestFloors(t *testing.T) {
	for _, kind := range []string{"wide", "layered"} {
		dir := t.TempDir()
		g, err := shape.New(kind, 30)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Write(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := execFloor(g, dir, 2); err != nil {
			t.Fatal(err)
		}
		for _, nd := range g.Nodes {
			var want []byte
			for _, in := range nd.Inputs {
				b, _ := os.ReadFile(filepath.Join(dir, in))
				want = append(want, b...)
			}
			if got, err := os.ReadFile(filepath.Join(dir, nd.Out)); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: %s = %q, %v; want %q", kind, nd.Out, got, err, want)
			}
		}
		if _, files, err := statFloor(g, dir, 2); err != nil || files != len(g.Nodes)+g.N {
			t.Errorf("%s: stat floor: %d files, %v; want %d", kind, files, err, len(g.Nodes)+g.N)
		}
	}
}

func TestMedianAndRotate(t *testing.T) {
	ms := func(v ...int) (ds []time.Duration) {
		for _, x := range v {
			ds = append(ds, time.Duration(x)*time.Millisecond)
		}
		return ds
	}
	if m := median(ms(5, 1, 3)); m != 3*time.Millisecond {
		t.Errorf("median = %v", m)
	}
	if m := median(ms(4, 1, 3, 2)); m != 2*time.Millisecond {
		t.Errorf("median of an even count = %v, want the lower middle", m)
	}
	tools := []tool{{name: "a"}, {name: "b"}}
	var got []string
	for _, tl := range rotate(tools, 1, true) {
		got = append(got, tl.name)
	}
	if !slices.Equal(got, []string{"b", "floor", "a"}) {
		t.Errorf("rotate = %v", got)
	}
}
