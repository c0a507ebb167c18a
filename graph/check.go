package graph

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Check is the [check] table of a Buildfile: settings of --check-deps
// (gobuildj check).
type Check struct {
	// Allow are files or folders outside the declarations whose reads
	// and writes are not reported: absolute, or relative to Root; as
	// written, cleaned.
	Allow []string
}

// checkKeys lists the keys of [check], sorted.
func checkKeys() []string { return []string{"allow"} }

// checkTable is [check] as decoded.
type checkTable struct {
	allow pathList
	bad   problem // [check] is not a table
}

// UnmarshalTOML hands each known key to its field (walk reports unknown
// keys).
func (c *checkTable) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		c.bad = problem{`expected a table such as [check] with allow = ["/srv/shared"], got ` + describe(v), -1}
		return nil
	}
	if av, ok := m["allow"]; ok {
		_ = c.allow.UnmarshalTOML(av)
	}
	return nil
}

// problems lists what the decoding found wrong, with the key path of each.
func (c *checkTable) problems(add func(p problem, path []string, target, key string)) {
	add(c.bad, []string{"check"}, "", "check")
	add(c.allow.bad, []string{"check", "allow"}, "", "check.allow")
}

// settle returns the values of [check].
func (c *checkTable) settle() Check {
	var out Check
	for _, a := range c.allow.items {
		if a = strings.TrimSpace(a); a != "" {
			out.Allow = append(out.Allow, filepath.Clean(a))
		}
	}
	return out
}

// unknownCheckKey is the message for an unknown key of [check].
func unknownCheckKey(k string) string {
	return fmt.Sprintf("unknown key %q (expected one of: %s%s)", k, strings.Join(checkKeys(), ", "), didYouMean(k, checkKeys()))
}

// isCheckKey reports whether k is a key of [check].
func isCheckKey(k string) bool { return slices.Contains(checkKeys(), k) }
