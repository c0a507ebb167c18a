package graph

import (
	"time"

	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/internal/wire"
)

// snapEncoder writes a graph's body, each distinct string once in a table
// that comes first.
type snapEncoder struct {
	b     []byte
	index map[string]uint64
	strs  []string
}

func (e *snapEncoder) str(s string) {
	i, ok := e.index[s]
	if !ok {
		if e.index == nil {
			e.index = map[string]uint64{}
		}
		i = uint64(len(e.strs))
		e.index[s] = i
		e.strs = append(e.strs, s)
	}
	e.b = wire.AppendUvarint(e.b, i)
}

// list writes a string list, keeping nil apart from empty.
func (e *snapEncoder) list(ss []string) {
	if ss == nil {
		e.b = append(e.b, 0)
		return
	}
	e.b = wire.AppendUvarint(e.b, uint64(len(ss))+1)
	for _, s := range ss {
		e.str(s)
	}
}

func (e *snapEncoder) uint(v uint64) { e.b = wire.AppendUvarint(e.b, v) }
func (e *snapEncoder) int(v int64)   { e.b = wire.AppendVarint(e.b, v) }
func (e *snapEncoder) bool(v bool)   { e.b = wire.AppendBool(e.b, v) }

// appendStrings appends the string table to b.
func (e *snapEncoder) appendStrings(b []byte) []byte {
	b = wire.AppendUvarint(b, uint64(len(e.strs)))
	for _, s := range e.strs {
		b = wire.AppendUvarint(b, uint64(len(s)))
	}
	for _, s := range e.strs {
		b = append(b, s...)
	}
	return b
}

// graph encodes every field of g (RDeps, IDs and the lookup maps are
// derived again on decoding) and returns the body.
func (e *snapEncoder) graph(g *Graph) []byte {
	deps, lists := 0, 0
	for _, t := range g.Targets {
		deps += len(t.Deps)
		lists += len(t.Inputs) + len(t.Globs) + len(t.Outputs) + len(t.Cmds) + len(t.Env) + len(t.Tools) + len(t.EnvInputs)
	}
	e.uint(uint64(len(g.Targets)))
	e.uint(uint64(deps))
	e.uint(uint64(lists))
	e.list(g.Default)
	e.bool(g.KeepStale)
	e.list(g.Files)
	e.list(g.Warnings)
	e.remote(&g.Remote)
	e.list(g.Check.Allow)
	if g.Pools == nil {
		e.uint(0)
	} else {
		e.uint(uint64(len(g.Pools)) + 1)
		for _, k := range sortedKeys(g.Pools) {
			e.str(k)
			e.int(int64(g.Pools[k]))
		}
	}
	for _, t := range g.Targets {
		e.str(t.Name)
		e.str(t.Description)
		e.uint(uint64(len(t.Deps)))
		for _, d := range t.Deps {
			e.uint(uint64(d.ID))
		}
		if len(t.Deps) > 0 {
			e.consumes(t.Consumes)
		}
		e.list(t.Inputs)
		e.list(t.Globs)
		e.list(t.Outputs)
		e.list(t.Cmds)
		e.str(t.Dir)
		e.list(t.Env)
		e.int(int64(t.Timeout))
		e.int(int64(t.KillTimeout))
		e.bool(t.Always)
		e.int(int64(t.Ports))
		e.int(int64(t.Retries))
		e.bool(t.LocalOnly)
		e.str(t.Pool)
		e.str(t.Depfile)
		e.str(t.Dyndep)
		e.list(t.Tools)
		e.list(t.EnvInputs)
		e.bool(t.Secondary)
		e.bool(t.Intermediate)
		e.bool(t.Sandbox)
		e.bool(t.Trace)
		e.str(t.Rule)
		e.str(t.Match)
		e.str(t.File)
	}
	e.uint(uint64(len(g.Rules)))
	for _, r := range g.Rules {
		e.str(r.Name)
		e.list(r.Foreach)
		e.target(r.Target)
		e.uint(uint64(len(r.Instances)))
		for _, t := range r.Instances {
			e.target(t)
		}
	}
	return e.b
}

// consumes writes Target.Consumes: 0 for nil, else 1 then for each dep
// 0 (whole) or the count of indices + 1 and the indices.
func (e *snapEncoder) consumes(c [][]int) {
	if c == nil {
		e.uint(0)
		return
	}
	e.uint(1)
	for _, idx := range c {
		if idx == nil {
			e.uint(0)
			continue
		}
		e.uint(uint64(len(idx)) + 1)
		for _, i := range idx {
			e.uint(uint64(i))
		}
	}
}

// target writes a reference to a target (nil as 0).
func (e *snapEncoder) target(t *Target) {
	if t == nil {
		e.uint(0)
		return
	}
	e.uint(uint64(t.ID) + 1)
}

func (e *snapEncoder) remote(r *Remote) {
	for _, s := range []string{r.Cache, r.Exec, r.Instance, r.Salt, r.Path, r.TLSCA, r.TLSCert, r.TLSKey} {
		e.str(s)
	}
	e.bool(r.Upload)
	e.bool(r.Strict)
	e.int(int64(r.Jobs))
	e.int(int64(r.Timeout))
	e.int(int64(r.ExecTimeout))
	e.list(r.Headers)
	e.list(r.Platform)
	if r.Set == nil {
		e.uint(0)
		return
	}
	e.uint(uint64(len(r.Set)) + 1)
	for _, k := range sortedKeys(r.Set) {
		e.str(k)
		e.bool(r.Set[k])
	}
}

// snapDecoder reads a snapshot. The first failure sets bad and makes every
// later read return zero values, so callers check once at the end. Strings
// share the snapshot's memory.
type snapDecoder struct {
	wire.Reader
	strs []string
	// arena is where the string lists of the targets are carved from.
	arena []string
}

func (d *snapDecoder) fingerprint() fileid.Fingerprint {
	return fileid.Fingerprint{Size: d.Varint(), MtimeNs: d.Varint(), CtimeNs: d.Varint(), Inode: d.Uvarint()}
}

// strings reads the string table.
func (d *snapDecoder) strings() {
	n := d.Count(1)
	d.strs = make([]string, n)
	lens := make([]uint64, n)
	total := uint64(0)
	for i := range n {
		lens[i] = d.Uvarint()
		total += lens[i]
	}
	if d.Bad() {
		return
	}
	blob := d.Take(total)
	off := uint64(0)
	for i, l := range lens {
		d.strs[i] = blob[off : off+l]
		off += l
	}
}

// ref reads a reference to the string table.
func (d *snapDecoder) ref() string {
	i := d.Uvarint()
	if i >= uint64(len(d.strs)) {
		d.Fail()
		return ""
	}
	return d.strs[i]
}

// list reads a string list into the arena (nil stays nil).
func (d *snapDecoder) list() []string {
	n := d.Uvarint()
	if n == 0 {
		return nil
	}
	n--
	if n > uint64(len(d.arena)) || n > uint64(d.Len()) {
		d.Fail()
		return nil
	}
	l := d.arena[:n:n]
	d.arena = d.arena[n:]
	for i := range l {
		l[i] = d.ref()
	}
	return l
}

// ownList reads a string list outside the arena.
func (d *snapDecoder) ownList() []string {
	n := d.Uvarint()
	if n == 0 {
		return nil
	}
	n--
	if n > uint64(d.Len()) {
		d.Fail()
		return nil
	}
	l := make([]string, n)
	for i := range l {
		l[i] = d.ref()
	}
	return l
}

func (d *snapDecoder) graph() *Graph {
	n := d.Count(1)
	nDeps := d.Count(1)
	nLists := d.Count(1)
	if d.Bad() {
		return nil
	}
	g := &Graph{}
	g.Default = d.ownList()
	g.KeepStale = d.Bool()
	g.Files = d.ownList()
	g.Warnings = d.ownList()
	d.remote(&g.Remote)
	g.Check.Allow = d.ownList()
	if k := d.Uvarint(); k > 0 {
		g.Pools = make(map[string]int, min(k-1, uint64(d.Len())))
		for range k - 1 {
			name := d.ref()
			g.Pools[name] = int(d.Varint())
			if d.Bad() {
				return nil
			}
		}
	}
	targets := make([]Target, n)
	order := make([]*Target, n)
	deps := make([]*Target, nDeps)
	d.arena = make([]string, nLists)
	for i := range targets {
		t := &targets[i]
		order[i] = t
		t.ID = i
		t.Name = d.ref()
		t.Description = d.ref()
		if k := d.Uvarint(); k > 0 {
			if k > uint64(len(deps)) {
				d.Fail()
				return nil
			}
			t.Deps, deps = deps[:k:k], deps[k:]
			for j := range t.Deps {
				id := d.Uvarint()
				if id >= uint64(i) { // deps come first in topological order
					d.Fail()
					return nil
				}
				t.Deps[j] = &targets[id]
			}
			t.Consumes = d.consumes(t.Deps)
		}
		t.Inputs = d.list()
		t.Globs = d.list()
		t.Outputs = d.list()
		t.Cmds = d.list()
		t.Dir = d.ref()
		t.Env = d.list()
		t.Timeout = time.Duration(d.Varint())
		t.KillTimeout = time.Duration(d.Varint())
		t.Always = d.Bool()
		t.Ports = int(d.Varint())
		t.Retries = int(d.Varint())
		t.LocalOnly = d.Bool()
		t.Pool = d.ref()
		t.Depfile = d.ref()
		t.Dyndep = d.ref()
		t.Tools = d.list()
		t.EnvInputs = d.list()
		t.Secondary = d.Bool()
		t.Intermediate = d.Bool()
		t.Sandbox = d.Bool()
		t.Trace = d.Bool()
		t.Rule = d.ref()
		t.Match = d.ref()
		t.File = d.ref()
		if d.Bad() {
			return nil
		}
	}
	finish(order)
	g.Targets = order
	if k := d.Count(1); k > 0 {
		g.Rules = make([]*Rule, k)
		for i := range g.Rules {
			r := &Rule{Name: d.ref(), Foreach: d.ownList(), Target: d.target(order)}
			if n := d.Count(1); n > 0 {
				r.Instances = make([]*Target, n)
				for j := range r.Instances {
					r.Instances[j] = d.target(order)
				}
			}
			g.Rules[i] = r
		}
	}
	return g
}

// consumes reads Target.Consumes for deps (whose outputs are read
// already: deps come first).
func (d *snapDecoder) consumes(deps []*Target) [][]int {
	if d.Uvarint() == 0 {
		return nil
	}
	c := make([][]int, len(deps))
	for j, dep := range deps {
		k := d.Uvarint()
		if k == 0 {
			continue
		}
		if k-1 > uint64(len(dep.Outputs)) {
			d.Fail()
			return nil
		}
		c[j] = make([]int, k-1)
		for i := range c[j] {
			x := d.Uvarint()
			if x >= uint64(len(dep.Outputs)) {
				d.Fail()
				return nil
			}
			c[j][i] = int(x)
		}
	}
	return c
}

// target reads a reference to a target (0 is nil).
func (d *snapDecoder) target(order []*Target) *Target {
	i := d.Uvarint()
	if i == 0 {
		return nil
	}
	if i > uint64(len(order)) {
		d.Fail()
		return nil
	}
	return order[i-1]
}

func (d *snapDecoder) remote(r *Remote) {
	for _, p := range []*string{&r.Cache, &r.Exec, &r.Instance, &r.Salt, &r.Path, &r.TLSCA, &r.TLSCert, &r.TLSKey} {
		*p = d.ref()
	}
	r.Upload = d.Bool()
	r.Strict = d.Bool()
	r.Jobs = int(d.Varint())
	r.Timeout = time.Duration(d.Varint())
	r.ExecTimeout = time.Duration(d.Varint())
	r.Headers = d.ownList()
	r.Platform = d.ownList()
	if n := d.Uvarint(); n > 0 {
		r.Set = make(map[string]bool, min(n-1, uint64(d.Len())))
		for range n - 1 {
			k := d.ref()
			r.Set[k] = d.Bool()
			if d.Bad() {
				return
			}
		}
	}
}
