package engine

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/engine/plan"
	"github.com/gobuildj/gobuildj/watch"
)

// inputIndex answers, for a watch session, "which targets does a change
// of this file affect, and does it change the graph itself?" in time
// proportional to the change: a map from each file that a wanted target
// reads (declared, matched by a glob, or named by its last depfile) to the
// targets that read it, the Buildfiles, the files globs matched, and the
// glob patterns by their fixed folder; and the outputs of the wanted
// targets, which a change by anything but their command (a deletion, an
// edit) makes stale. It also says which folders to watch.
type inputIndex struct {
	readers    map[string][]int // file (as in Target.Inputs) -> IDs of the wanted targets reading it
	found      map[int][]string // target ID -> the files its last depfile named
	outputs    map[string]bool  // declared outputs and depfiles: what commands write
	producers  map[string]int   // output of a wanted target with commands -> its ID
	outDirs    map[string]int   // folders of those outputs -> how many
	buildfiles map[string]bool  // absolute paths of the Buildfiles read
	// matched are the files that input globs and rules' foreach matched
	// (or were seen by a reload): one that appears or goes away where a
	// pattern looks changes the graph.
	matched  map[string]bool
	patterns map[string][]string // fixed folder of a pattern ("." for the root) -> patterns
	dirs     map[string]int      // folders of the files read -> how many
	trees    map[string]bool     // fixed folders of patterns that look into subfolders
}

// newInputIndex indexes what the wanted targets of b's graph read.
func newInputIndex(b *builder, wanted []bool) *inputIndex {
	x := &inputIndex{
		readers:    map[string][]int{},
		found:      map[int][]string{},
		outputs:    map[string]bool{},
		producers:  map[string]int{},
		outDirs:    map[string]int{},
		buildfiles: map[string]bool{},
		matched:    map[string]bool{},
		patterns:   map[string][]string{},
		dirs:       map[string]int{},
		trees:      map[string]bool{},
	}
	g := b.g
	for _, f := range g.Files {
		x.buildfiles[f] = true
	}
	for _, t := range g.Targets {
		for _, o := range t.Outputs {
			x.outputs[o] = true
		}
		if t.Depfile != "" {
			x.outputs[t.Depfile] = true
		}
		if !wanted[t.ID] {
			continue
		}
		if len(t.Cmds) > 0 {
			for _, o := range t.Outputs {
				if _, ok := x.producers[o]; !ok {
					x.producers[o] = t.ID
					x.outDirs[filepath.Dir(o)]++
				}
			}
		}
		for _, in := range t.Inputs {
			x.addReader(in, t.ID)
		}
		for _, p := range t.Globs {
			x.addPattern(p)
		}
		if len(t.Globs) > 0 {
			for _, in := range t.Inputs {
				x.matched[in] = true
			}
		}
		if t.Depfile != "" || b.tracing(t) {
			if rec, ok := b.store.Target(t.Name); ok {
				x.setFound(t.ID, foundFiles(rec.Discovered, rec.Traced, rec.Probed))
			}
		}
	}
	for _, r := range g.Rules {
		for _, p := range r.Foreach {
			x.addPattern(p)
		}
		for _, inst := range r.Instances {
			x.matched[inst.Match] = true
		}
	}
	return x
}

func (x *inputIndex) addReader(p string, id int) {
	ids := x.readers[p]
	if slices.Contains(ids, id) {
		return
	}
	if len(ids) == 0 {
		x.dirs[filepath.Dir(p)]++
	}
	x.readers[p] = append(ids, id)
}

func (x *inputIndex) removeReader(p string, id int) {
	ids := x.readers[p]
	i := slices.Index(ids, id)
	if i < 0 {
		return
	}
	ids = slices.Delete(ids, i, i+1)
	if len(ids) > 0 {
		x.readers[p] = ids
		return
	}
	delete(x.readers, p)
	d := filepath.Dir(p)
	if x.dirs[d]--; x.dirs[d] <= 0 {
		delete(x.dirs, d)
	}
}

// setFound replaces the files target id's depfile named. It reports
// whether a folder to watch was added.
func (x *inputIndex) setFound(id int, found []string) bool {
	before := len(x.dirs)
	for _, p := range x.found[id] {
		x.removeReader(p, id)
	}
	x.found[id] = slices.Clone(found)
	for _, p := range found {
		x.addReader(p, id)
	}
	return len(x.dirs) > before
}

// addPattern indexes a glob by its fixed folder: "src/**/*.c" under src,
// looking into subfolders; "src/*.c" under src alone.
func (x *inputIndex) addPattern(p string) {
	segs := strings.Split(p, "/")
	fixed := 0
	for fixed < len(segs)-1 && !strings.ContainsAny(segs[fixed], "*?[{") {
		fixed++
	}
	dir := "."
	if fixed > 0 {
		dir = filepath.FromSlash(path.Join(segs[:fixed]...))
	}
	if !slices.Contains(x.patterns[dir], p) {
		x.patterns[dir] = append(x.patterns[dir], p)
	}
	if len(segs)-fixed > 1 {
		x.trees[dir] = true
	}
}

// globbed reports whether rel (relative to the root) is where a pattern
// looks.
func (x *inputIndex) globbed(rel string) bool {
	if filepath.IsAbs(rel) {
		return false // patterns stay inside the root
	}
	slashed := filepath.ToSlash(rel)
	for d := filepath.Dir(rel); ; d = filepath.Dir(d) {
		for _, p := range x.patterns[d] {
			if ok, _ := doublestar.Match(p, slashed); ok {
				return true
			}
		}
		if d == "." || d == string(filepath.Separator) {
			return false
		}
	}
}

// holdsFiles reports whether rel may be a folder with files that matter
// in it, or below it.
func (x *inputIndex) holdsFiles(rel string) bool {
	prefix := rel + string(filepath.Separator)
	for d := range x.dirs {
		if d == rel || strings.HasPrefix(d, prefix) {
			return true
		}
	}
	for d := range x.outDirs {
		if d == rel || strings.HasPrefix(d, prefix) {
			return true
		}
	}
	for d := range x.patterns {
		if d == rel || strings.HasPrefix(d, prefix) || x.trees[d] && (d == "." || strings.HasPrefix(rel, d+string(filepath.Separator))) {
			return true
		}
	}
	return false
}

// spec is what to watch: the folders of the files read, of the outputs
// and of the Buildfiles, and the fixed folders of the patterns (those that look into
// subfolders, whole).
func (x *inputIndex) spec(root string) watch.Spec {
	var s watch.Spec
	abs := func(d string) string {
		if filepath.IsAbs(d) {
			return d
		}
		return filepath.Join(root, d)
	}
	for d := range x.dirs {
		s.Dirs = append(s.Dirs, abs(d))
	}
	for d := range x.outDirs {
		s.Dirs = append(s.Dirs, abs(d))
	}
	for f := range x.buildfiles {
		s.Dirs = append(s.Dirs, filepath.Dir(f))
	}
	for d := range x.patterns {
		if x.trees[d] {
			s.Trees = append(s.Trees, abs(d))
		} else {
			s.Dirs = append(s.Dirs, abs(d))
		}
	}
	slices.Sort(s.Dirs)
	s.Dirs = slices.Compact(s.Dirs)
	slices.Sort(s.Trees)
	return s
}

// watchIndexed tells the watcher what to watch now.
func (s *session) watchIndexed() {
	if err := s.w.Watcher.Set(s.index.spec(s.b.g.Root)); err != nil {
		s.b.ls.Message("gobuildj watch: warning: " + err.Error())
	}
}

// classified is what a batch of changed paths means to the session.
type classified struct {
	seeds   map[int]bool // wanted targets reading a changed file
	reload  bool         // the graph may have changed: read the Buildfile again
	changed []string     // the changed files that matter, as Target.Inputs names them
}

// classify maps changed paths (absolute) to what they affect. An output
// matters only when it is no longer what its command left (deleted, or
// changed by something else: see outputChanged); a path that nothing reads
// and no pattern looks at does not matter.
func (s *session) classify(paths []string, overflow bool) classified {
	b, x := s.b, s.index
	c := classified{seeds: map[int]bool{}}
	if overflow {
		for id, w := range s.wanted {
			if w {
				c.seeds[id] = true
			}
		}
		c.reload = true
	}
	note := func(rel string) {
		if n := len(c.changed); n == 0 || c.changed[n-1] != rel {
			c.changed = append(c.changed, rel)
		}
	}
	for _, p := range paths {
		if x.buildfiles[p] {
			c.reload = true
			note(b.rel(p))
			continue
		}
		rel := b.rel(p)
		if x.outputs[rel] {
			if id, ok := s.outputChanged(rel); ok {
				c.seeds[id] = true
				note(rel)
			}
			continue
		}
		fi, err := os.Lstat(p)
		exists := err == nil && !fi.IsDir()
		gone := errors.Is(err, fs.ErrNotExist)
		if ids, ok := x.readers[rel]; ok {
			for _, id := range ids {
				c.seeds[id] = true
			}
			note(rel)
		}
		if x.globbed(rel) && exists != x.matched[rel] && (exists || gone) {
			c.reload = true
			x.matched[rel] = exists // a reload accounts for it
			note(rel)
		}
		if gone && x.holdsFiles(rel) {
			// A folder removed or renamed: what was in it is gone too.
			prefix := rel + string(filepath.Separator)
			for in, ids := range x.readers {
				if strings.HasPrefix(in, prefix) {
					for _, id := range ids {
						c.seeds[id] = true
					}
					note(in)
				}
			}
			for m, ok := range x.matched {
				if ok && strings.HasPrefix(m, prefix) {
					c.reload = true
					note(m)
				}
			}
			for o := range x.producers {
				if strings.HasPrefix(o, prefix) {
					if id, ok := s.outputChanged(o); ok {
						c.seeds[id] = true
						note(o)
					}
				}
			}
		}
	}
	slices.Sort(c.changed)
	c.changed = slices.Compact(c.changed)
	return c
}

// outputChanged reports whether rel, an output, is no longer what its
// command left, and which wanted target made it: it is gone, or its stat
// fingerprint differs from the one recorded when its command ended. The
// writes of the commands themselves are not changes: a command that runs
// or will run is about to write it, and one that ended had its outputs'
// fingerprints recorded before any of its events are looked at (both
// happen on the scheduler's goroutine).
func (s *session) outputChanged(rel string) (int, bool) {
	id, ok := s.index.producers[rel]
	if !ok {
		return 0, false
	}
	if st := s.b.plan.State(id); s.stale[id] || st == plan.Waiting || st == plan.Ready || st == plan.Taken {
		return 0, false // it runs again anyway
	}
	rec, ok := s.b.files.Remembered(rel)
	if !ok {
		return 0, false // never built: it is stale already
	}
	abs := s.b.abs(rel)
	cur, err := cache.StatFile(abs)
	if t := s.b.nodes[id].t; errors.Is(err, fs.ErrNotExist) && (t.Secondary || t.Intermediate) {
		// Its outputs may be missing (deleted by the build itself, for
		// an intermediate target): a plain build would not run it.
		return 0, false
	}
	if err != nil {
		return id, true // gone, or unreadable: a plain build runs it
	}
	if rec.SameFingerprint(cur) {
		return id, false
	}
	if cur.Size == rec.Size && cur.MtimeNs == rec.MtimeNs && cur.Inode == rec.Inode {
		// Only its ctime changed: a hard link made to it (ln by its own
		// command or by a later one, as a multi-call binary's names are
		// made), a chmod. The content is what its command left if the
		// hash says so, and the file's state is remembered as it is now.
		if st, err := cache.Fingerprint(abs); err == nil && st.Hash == rec.Hash && st.SameFingerprint(cur) {
			s.b.files.Remember(rel, st)
			return id, false
		}
	}
	return id, true
}

// noteFound updates the index after target n ran: its depfile or its
// trace may name other files than before, in folders not watched yet.
func (s *session) noteFound(n *node) {
	if s.index == nil || n.t.Depfile == "" && !s.b.tracing(n.t) {
		return
	}
	if s.index.setFound(n.t.ID, foundFiles(n.discovered, n.traced, n.probed)) {
		s.watchIndexed()
	}
}

// foundFiles are the files a run found it reads beside its declared
// inputs: those its depfile named, those its trace saw it read, and the
// paths its trace saw it look for in vain.
func foundFiles(discovered, traced, probed []string) []string {
	if len(traced) == 0 && len(probed) == 0 {
		return discovered
	}
	return slices.Concat(discovered, traced, probed)
}
