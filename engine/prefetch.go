package engine

import (
	"runtime"

	"github.com/gobuildj/gobuildj/cache"
)

// maxStatWorkers bounds the goroutines that stat and hash files before a
// build: past a few, the kernel's locks, not the cores, set the pace.
const maxStatWorkers = 8

// plannedFiles are the files the check before a build looks at (the inputs
// of the targets in the plan, and the outputs of those with commands),
// stated all at once, in parallel, before the check reads them one by one.
type plannedFiles struct {
	paths  []string // as the graph spells them: relative to its Root, or absolute
	input  []bool   // paths[i] is some target's input (its content is hashed)
	stats  []cache.StatResult
	byPath map[string]int // relative path as the graph spells it -> index
}

// statPlanned stats the files of the targets in the plan.
func (b *build) statPlanned() *plannedFiles {
	size := 0
	for i := range b.nodes {
		if n := &b.nodes[i]; n.inPlan {
			size += len(n.t.Inputs) + len(n.t.Outputs)
		}
	}
	pf := &plannedFiles{byPath: make(map[string]int, size), paths: make([]string, 0, size), input: make([]bool, 0, size)}
	add := func(rel string, input bool) {
		if i, ok := pf.byPath[rel]; ok {
			pf.input[i] = pf.input[i] || input
			return
		}
		pf.byPath[rel] = len(pf.paths)
		pf.paths = append(pf.paths, rel)
		pf.input = append(pf.input, input)
	}
	for i := range b.nodes {
		n := &b.nodes[i]
		if !n.inPlan {
			continue
		}
		for _, in := range n.t.Inputs {
			add(in, true)
		}
		if len(n.t.Cmds) > 0 {
			for _, o := range n.t.Outputs {
				add(o, false)
			}
		}
	}
	pf.stats = cache.StatAll(b.g.Root, pf.paths, statWorkers())
	return pf
}

func statWorkers() int { return min(runtime.NumCPU(), maxStatWorkers) }

// exists reports whether rel was found by the stat (false also when it was
// not stated: the caller then asks the file system).
func (pf *plannedFiles) exists(rel string) bool {
	i, ok := pf.byPath[rel]
	return ok && pf.stats[i].Err == nil
}

// prime hands the stats to the store's Files for the check, hashing the
// inputs whose remembered state cannot be trusted in parallel.
func (pf *plannedFiles) prime(files *cache.Files) {
	files.Prime(pf.paths, pf.stats, func(i int) bool { return pf.input[i] }, statWorkers())
}
