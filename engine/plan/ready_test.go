package plan

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestReadyHeapKeepsItsOrder drives the heap with random pushes, removals
// and priority changes and checks, against a sorted list, that it hands
// the targets out highest priority first, then in the order they came.
func TestReadyHeapKeepsItsOrder(t *testing.T) {
	const n = 500
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		p := &Plan{priority: make([]int64, n)}
		h := &p.ready
		h.index = make([]int32, n)
		want := map[int]readyItem{} // what should be in the heap
		for step := 0; step < 2*n; step++ {
			id := rng.IntN(n)
			_, in := want[id]
			switch op := rng.IntN(4); {
			case !in && op < 2:
				p.priority[id] = int64(rng.IntN(5))
				want[id] = readyItem{priority: p.priority[id], seq: h.next, id: int32(id)}
				h.push(p, id)
			case in && op == 2:
				h.remove(id)
				delete(want, id)
			case in && op == 3:
				it := want[id]
				it.priority = int64(rng.IntN(5))
				want[id] = it
				h.fix(id, it.priority)
			}
		}
		var order []readyItem
		for _, it := range want {
			order = append(order, it)
		}
		slices.SortFunc(order, func(a, b readyItem) int {
			if a.before(&b) {
				return -1
			}
			return 1
		})
		for i, it := range order {
			if h.len() == 0 {
				t.Fatalf("round %d: the heap is empty after %d of %d targets", round, i, len(order))
			}
			if got := h.pop(); got != int(it.id) {
				t.Fatalf("round %d: pop %d gave target %d, want %d (priority %d, seq %d)", round, i, got, it.id, it.priority, it.seq)
			}
		}
		if h.len() != 0 {
			t.Fatalf("round %d: %d targets left in the heap", round, h.len())
		}
		for id, i := range h.index {
			if i != 0 {
				t.Fatalf("round %d: target %d still indexed at %d", round, id, i)
			}
		}
	}
}
