package graph

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/BurntSushi/toml"
)

// collectPools gathers the [pools.NAME] of every Buildfile read, beside the
// built-in console pool. Pool names are shared by all the Buildfiles: an
// included one may define a pool again with the same depth, not another.
func (l *loader) collectPools() *Error {
	l.pools = map[string]int{ConsolePool: 1}
	l.poolFile = make(map[string]*bfile)
	for _, f := range l.files {
		for _, name := range f.dec.poolList {
			depth, ok := f.dec.pools.depths[name]
			if !ok {
				continue // decode reported it
			}
			key := toml.Key{"pools", name}.String()
			here := at{path: []string{"pools", name}, item: -1, offset: -1, name: true}
			switch {
			case name == ConsolePool:
				return f.src.errorAt(here, "", key, `"console" is the built-in pool of depth 1 whose command gets the terminal (expected another name)`)
			case name == "" || strings.IndexFunc(name, unicode.IsSpace) >= 0:
				return f.src.errorAt(here, "", key, `a pool name must be a word (expected a name such as [pools.link])`)
			case depth < 1:
				return f.src.errorAt(atKey("pools", name, "depth"), "", key+".depth",
					fmt.Sprintf("depth %d (expected 1 or more: the number of the pool's commands that may run at once)", depth))
			}
			d := int(min(depth, 1<<30))
			if prev, ok := l.poolFile[name]; ok && l.pools[name] != d {
				return f.src.errorAt(atKey("pools", name, "depth"), "", key+".depth",
					fmt.Sprintf("depth %d, but %s gives the pool depth %d (expected one depth per pool: pools are shared by every Buildfile)", d, prev.src.file, l.pools[name]))
			}
			l.pools[name] = d
			l.poolFile[name] = f
		}
	}
	return nil
}
