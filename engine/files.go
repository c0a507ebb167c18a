package engine

import (
	"runtime"

	"github.com/gobuildj/gobuildj/cache"
)

// maxStatWorkers bounds the goroutines that stat and hash files before a
// build: past a few, the kernel's locks, not the cores, set the pace.
const maxStatWorkers = 8

// plannedFiles are the files the check before a build looks at (the inputs
// of the targets in the plan, and the outputs of those with commands). They
// are stated all at once, in parallel, and the inputs whose remembered
// state cannot be trusted are hashed in parallel too; the check then reads
// the answers by index, without a stat, a path join or a map lookup. They
// are valid until the first command runs.
type plannedFiles struct {
	paths  []string // as the graph spells them: relative to its Root, or absolute
	input  []bool   // paths[i] is some target's input (its content is hashed)
	stats  []cache.StatResult
	states []cache.FileState // of the inputs, after resolve
	errs   []error           // of the inputs, after resolve
	byPath map[string]int    // paths[i] -> i
	// files[t.ID] are the indexes of t's inputs, then of its outputs (for
	// a target with commands), in the graph's order.
	files [][]int32
}

// statPlanned stats the files of the targets of the build. Its cost grows
// with the build, not with the graph: a build of watch mode looks at what a
// change affects.
func (b *builder) statPlanned() *plannedFiles {
	size := 0
	for _, id := range b.cycle {
		t := b.nodes[id].t
		size += len(t.Inputs) + len(t.Outputs)
	}
	// Indexed by target ID, and only read for targets of the plan: the
	// builds of a watch session reuse one.
	if len(b.planFiles) != len(b.nodes) {
		b.planFiles = make([][]int32, len(b.nodes))
	}
	pf := &plannedFiles{
		byPath: make(map[string]int, size),
		paths:  make([]string, 0, size),
		input:  make([]bool, 0, size),
		files:  b.planFiles,
	}
	arena := make([]int32, 0, size)
	add := func(rel string, input bool) {
		i, ok := pf.byPath[rel]
		if !ok {
			i = len(pf.paths)
			pf.byPath[rel] = i
			pf.paths = append(pf.paths, rel)
			pf.input = append(pf.input, false)
		}
		pf.input[i] = pf.input[i] || input
		arena = append(arena, int32(i))
	}
	for _, i := range b.cycle {
		t := b.nodes[i].t
		start := len(arena)
		for _, in := range t.Inputs {
			add(in, true)
		}
		if len(t.Cmds) > 0 {
			for _, o := range t.Outputs {
				add(o, false)
			}
		}
		pf.files[i] = arena[start:len(arena):len(arena)]
	}
	pf.stats = b.opts.Stat(b.g.Root, pf.paths, statWorkers())
	return pf
}

func statWorkers() int { return min(runtime.NumCPU(), maxStatWorkers) }

// exists reports whether rel was found by the stat (false also when it was
// not stated: the caller then asks the file system).
func (pf *plannedFiles) exists(rel string) bool {
	i, ok := pf.byPath[rel]
	return ok && pf.stats[i].Err == nil
}

// resolve finds the state of every file, from its stat and the state
// remembered in files, hashing in parallel those that changed or were
// written too recently to be trusted (racy: every output of the last
// build), which the check would otherwise hash one by one.
func (pf *plannedFiles) resolve(files *cache.Files) {
	pf.states = make([]cache.FileState, len(pf.paths))
	pf.errs = make([]error, len(pf.paths))
	cache.Parallel(len(pf.paths), statWorkers(), func(i int) {
		pf.states[i], pf.errs[i] = files.StateWith(pf.paths[i], pf.stats[i])
	})
}

// inputState is the state of input j of node id.
func (pf *plannedFiles) inputState(id, j int) (cache.FileState, error) {
	i := pf.files[id][j]
	return pf.states[i], pf.errs[i]
}

// outputStats are the stats of the outputs of node id (with ninputs
// inputs), appended to buf.
func (pf *plannedFiles) outputStats(id, ninputs int, buf []cache.StatResult) []cache.StatResult {
	for _, i := range pf.files[id][ninputs:] {
		buf = append(buf, pf.stats[i])
	}
	return buf
}
