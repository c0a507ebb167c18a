package graph

import "testing"

func TestPreferKey(t *testing.T) {
	for _, c := range []struct{ pattern, file, want string }{
		{"src/*/*.c", "src/string/memcpy.c", "string/memcpy"},
		{"src/*/x86_64/*.s", "src/string/x86_64/memcpy.s", "string/memcpy"},
		{"src/generic/*.c", "src/generic/foo.c", "foo"},
		{"src/arch/x86/*.c", "src/arch/x86/foo.c", "foo"},
		{"src/**/*.c", "src/a/b/c.c", "a/b/c"},
		{"src/**/x86_64/*.s", "src/a/b/x86_64/c.s", "a/b/c"},
		{"lib/*.tar.gz", "lib/x.tar.gz", "x.tar"},
	} {
		if got := preferKey(c.pattern, c.file); got != c.want {
			t.Errorf("preferKey(%q, %q) = %q, want %q", c.pattern, c.file, got, c.want)
		}
	}
}
