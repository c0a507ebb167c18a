package plan

import "container/heap"

// readyHeap holds the Ready targets, highest priority first and, among
// equal priorities, in the order they became ready. index[id] is the
// position of id in the heap plus one (0: not in it), so that a target can
// leave the heap (MarkDone, Redo) or move in it (SetPriority) in log time.
type readyHeap struct {
	items []readyItem
	next  uint64
	index []int32
}

// readyItem is a Ready target with what orders it, kept together so that
// the heap's comparisons do not look elsewhere.
type readyItem struct {
	priority int64
	seq      uint64 // when it became ready
	id       int32
}

func (a *readyItem) before(b *readyItem) bool {
	if a.priority != b.priority {
		return a.priority > b.priority
	}
	return a.seq < b.seq
}

// Len, Less, Swap, Push and Pop implement heap.Interface; the Plan
// calls push, pop, remove and fix.
func (h *readyHeap) Len() int           { return len(h.items) }
func (h *readyHeap) Less(i, j int) bool { return h.items[i].before(&h.items[j]) }
func (h *readyHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.index[h.items[i].id] = int32(i + 1)
	h.index[h.items[j].id] = int32(j + 1)
}
func (h *readyHeap) Push(x any) {
	it := x.(readyItem)
	h.index[it.id] = int32(len(h.items) + 1)
	h.items = append(h.items, it)
}
func (h *readyHeap) Pop() any {
	n := len(h.items) - 1
	it := h.items[n]
	h.items = h.items[:n]
	h.index[it.id] = 0
	return it
}

func (h *readyHeap) push(p *Plan, id int) {
	heap.Push(h, readyItem{priority: p.priority[id], seq: h.next, id: int32(id)})
	h.next++
}

func (h *readyHeap) pop() int { return int(heap.Pop(h).(readyItem).id) }

func (h *readyHeap) len() int { return len(h.items) }

// remove takes id out of the heap.
func (h *readyHeap) remove(id int) {
	if i := int(h.index[id]) - 1; i >= 0 {
		heap.Remove(h, i)
	}
}

// fix restores the order after the priority of id changed to priority.
func (h *readyHeap) fix(id int, priority int64) {
	if i := int(h.index[id]) - 1; i >= 0 {
		h.items[i].priority = priority
		heap.Fix(h, i)
	}
}
