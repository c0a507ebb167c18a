package plan

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

// The heap's own sift functions, rather than container/heap's: that one
// takes and returns items as interface values, which puts every target
// that becomes ready on the garbage-collected heap (10,000 allocations in
// a no-op build of 10,000 targets) and calls each comparison through an
// interface.

func (h *readyHeap) less(i, j int) bool { return h.items[i].before(&h.items[j]) }

func (h *readyHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.index[h.items[i].id] = int32(i + 1)
	h.index[h.items[j].id] = int32(j + 1)
}

// up moves item i towards the root until its parent comes before it.
func (h *readyHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

// down moves item i towards the leaves until it comes before its
// children; it reports whether the item moved.
func (h *readyHeap) down(i int) bool {
	start, n := i, len(h.items)
	for {
		first := 2*i + 1
		if first >= n {
			break
		}
		if second := first + 1; second < n && h.less(second, first) {
			first = second
		}
		if !h.less(first, i) {
			break
		}
		h.swap(i, first)
		i = first
	}
	return i > start
}

func (h *readyHeap) push(p *Plan, id int) {
	h.index[id] = int32(len(h.items) + 1)
	h.items = append(h.items, readyItem{priority: p.priority[id], seq: h.next, id: int32(id)})
	h.next++
	h.up(len(h.items) - 1)
}

// pop takes the first item out.
func (h *readyHeap) pop() int {
	return h.removeAt(0)
}

// removeAt takes item i out and returns its target.
func (h *readyHeap) removeAt(i int) int {
	last := len(h.items) - 1
	if i != last {
		h.swap(i, last)
	}
	id := int(h.items[last].id)
	h.items = h.items[:last]
	h.index[id] = 0
	if i != last && !h.down(i) {
		h.up(i)
	}
	return id
}

func (h *readyHeap) len() int { return len(h.items) }

// remove takes id out of the heap.
func (h *readyHeap) remove(id int) {
	if i := int(h.index[id]) - 1; i >= 0 {
		h.removeAt(i)
	}
}

// fix restores the order after the priority of id changed to priority.
func (h *readyHeap) fix(id int, priority int64) {
	if i := int(h.index[id]) - 1; i >= 0 {
		h.items[i].priority = priority
		if !h.down(i) {
			h.up(i)
		}
	}
}
