package graph

import (
	"path"
	"strings"
)

// A rule's prefer patterns name files that replace some of its foreach
// matches, as musl's architecture-specific sources replace the generic
// ones (src/string/x86_64/memcpy.s replaces src/string/memcpy.c):
//
//	[rules.obj]
//	foreach = "src/*/*.c"
//	prefer = ["src/*/${ARCH}/*.s"]
//
// A file matched by a prefer pattern becomes an instance of the rule, and
// replaces the foreach match with the same key. A file's key under its
// pattern is what the pattern's wildcards matched: the file's path without
// the folders the pattern spells literally and without its extension
// ("string/memcpy" for both files above). A prefer pattern may match no
// file (an architecture without specific sources).

// preferKey is the key of file (slash-separated, relative to the root)
// matched by pattern: its folders matched by a wildcard segment of the
// pattern, and its name without extension. Segments before a "**" of the
// pattern line up with the file's from the start, those after it from the
// end.
func preferKey(pattern, file string) string {
	psegs := strings.Split(pattern, "/")
	fsegs := strings.Split(file, "/")
	keep := make([]bool, len(fsegs))
	for i := range keep {
		keep[i] = true
	}
	star := -1
	for i, s := range psegs {
		if s == "**" {
			star = i
			break
		}
	}
	literal := func(pi, fi int) {
		if fi >= 0 && fi < len(fsegs) && !isGlob(psegs[pi]) {
			keep[fi] = false
		}
	}
	if star < 0 {
		for i := range psegs {
			literal(i, i)
		}
	} else {
		for i := 0; i < star; i++ {
			literal(i, i)
		}
		for i := len(psegs) - 1; i > star; i-- {
			literal(i, len(fsegs)-(len(psegs)-i))
		}
	}
	// The name is always kept: it is what a stem is made of.
	keep[len(fsegs)-1] = true
	var kept []string
	for i, s := range fsegs {
		if keep[i] {
			kept = append(kept, s)
		}
	}
	last := kept[len(kept)-1]
	if ext := path.Ext(last); ext != last {
		kept[len(kept)-1] = last[:len(last)-len(ext)]
	}
	return strings.Join(kept, "/")
}
