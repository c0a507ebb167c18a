// Command gen writes a synthetic build graph (see package shape) in the
// formats of gobuildj, ninja, make and go-task.
//
//	go run ./bench/gen -shape layered -n 10000 -o /tmp/graph
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gobuildj/gobuildj/bench/shape"
)

func main() {
	n := flag.Int("n", 1000, "number of sources (leaf targets)")
	dir := flag.String("o", "graph", "output folder")
	kind := flag.String("shape", "wide", "graph shape: wide or layered")
	flag.Parse()
	g, err := shape.New(*kind, *n)
	if err == nil {
		err = g.Write(*dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
