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

func (h *readyHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.index[h.items[i].id] = int32(i + 1)
	h.index[h.items[j].id] = int32(j + 1)
}

func (h *readyHeap) push(p *Plan, id int) {
	h.items = append(h.items, readyItem{priority: p.priority[id], seq: h.next, id: int32(id)})
	h.next++
	n := len(h.items) - 1
	h.index[id] = int32(n + 1)
	h.up(n)
}

func (h *readyHeap) pop() int {
	id := int(h.items[0].id)
	h.removeAt(0)
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

func (h *readyHeap) removeAt(i int) {
	n := len(h.items) - 1
	id := h.items[i].id
	if i != n {
		h.swap(i, n)
	}
	h.items = h.items[:n]
	h.index[id] = 0
	if i != n {
		if !h.down(i) {
			h.up(i)
		}
	}
}

func (h *readyHeap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !h.items[j].before(&h.items[i]) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

// down moves the item at i0 down; it reports whether it moved.
func (h *readyHeap) down(i0 int) bool {
	i, n := i0, len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && h.items[r].before(&h.items[l]) {
			j = r
		}
		if !h.items[j].before(&h.items[i]) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}
