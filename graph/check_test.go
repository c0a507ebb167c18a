package graph

import (
	"slices"
	"testing"
)

func TestCheckTable(t *testing.T) {
	g := mustLoad(t, `
[check]
allow = ["/srv/shared/", "logs/./ran.log"]

[targets.a]
cmd = "true"
`, nil)
	if want := []string{"/srv/shared", "logs/ran.log"}; !slices.Equal(g.Check.Allow, want) {
		t.Errorf("Check.Allow = %q, want %q", g.Check.Allow, want)
	}
	if g := mustLoad(t, "[targets.a]\ncmd = \"true\"\n", nil); g.Check.Allow != nil {
		t.Errorf("Check.Allow = %q without [check]", g.Check.Allow)
	}
}

func TestCheckTableErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name:  "in an included Buildfile",
			text:  "include = [\"sub/Buildfile.toml\"]\n",
			files: map[string]string{"sub/Buildfile.toml": "[check]\nallow = [\"x\"]\n"},
			want:  "sub/Buildfile.toml:1:1: check: [check] is read from the top Buildfile only (expected it in Buildfile.toml)",
		},
		{
			name: "not a table",
			text: "check = 3\n",
			want: `Buildfile.toml:1:9: check: expected a table such as [check] with allow = ["/srv/shared"], got integer 3`,
		},
	})
}
