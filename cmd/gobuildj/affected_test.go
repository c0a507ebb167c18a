package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// affectedProject is a C program and a few text targets in proj/, a
// folder below the git repository's top. include/util.h is read by a_o
// only through its depfile (a.c includes it), by headers through the glob
// include/*.h, and by gen as a declared input; app links a_o and b_o,
// headers_ck checks headers, extra (not a default target) reads util.h
// too, and notes reads notes.txt. Every command appends its target's
// name to ran.log.
var affectedProject = map[string]string{
	"proj/Buildfile.toml": `
default = ["app", "headers_ck", "gen", "notes"]

[vars]
log = "echo ${target} >> ran.log"

[targets.a_o]
inputs  = ["src/a.c"]
outputs = ["build/a.o"]
depfile = "build/a.d"
cmd     = "${log} && cc -Iinclude -MMD -MP -MF build/a.d -c ${in} -o ${out}"

[targets.b_o]
inputs  = ["src/b.c"]
outputs = ["build/b.o"]
depfile = "build/b.d"
cmd     = "${log} && cc -Iinclude -MMD -MP -MF build/b.d -c ${in} -o ${out}"

[targets.app]
deps    = ["a_o", "b_o"]
outputs = ["build/app"]
cmd     = "${log} && cc -o ${out} ${deps}"

[targets.headers]
inputs  = ["include/*.h"]
outputs = ["build/headers.txt"]
cmd     = "${log} && cat ${in} > ${out}"

[targets.headers_ck]
deps    = ["headers"]
outputs = ["build/headers.ck"]
cmd     = "${log} && wc -l build/headers.txt > ${out}"

[targets.gen]
inputs  = ["include/util.h"]
outputs = ["build/gen.txt"]
cmd     = "${log} && grep define ${in} > ${out}"

[targets.extra]
inputs  = ["include/util.h"]
outputs = ["build/extra.txt"]
cmd     = "${log} && cp ${in} ${out}"

[targets.notes]
inputs  = ["notes.txt"]
outputs = ["build/notes.txt"]
cmd     = "${log} && cp ${in} ${out}"
`,
	"proj/include/util.h":  "#define UTIL 1\nint util(void);\n",
	"proj/include/other.h": "#define OTHER 2\n",
	"proj/src/a.c":         "#include \"util.h\"\nint util(void) { return UTIL; }\n",
	"proj/src/b.c":         "#include \"other.h\"\nint util(void);\nint main(void) { return util() + OTHER - 3; }\n",
	"proj/notes.txt":       "notes\n",
	"README":               "a repository whose Buildfile is in proj/\n",
}

// gitIn runs git in dir with a fixed identity and no user configuration,
// and returns its output.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// affectedRepo makes a git repository of affectedProject on main, builds
// it once (so that a_o's depfile is recorded), then commits an edit of
// include/util.h on a branch, feature. It returns the repository and the
// Buildfile's folder.
func affectedRepo(t *testing.T) (repo, proj string) {
	t.Helper()
	needCC(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	repo = project(t, affectedProject)
	proj = filepath.Join(repo, "proj")
	gitIn(t, repo, "init", "-q", "-b", "main")
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "-q", "-m", "base")
	mustBuild(t, proj)
	assertRan(t, proj, "a_o", "b_o", "app", "headers", "headers_ck", "gen", "notes")
	mustBuild(t, proj)
	assertRan(t, proj)
	gitIn(t, repo, "checkout", "-q", "-b", "feature")
	write(t, filepath.Join(proj, "include/util.h"), "#define UTIL 5\nint util(void);\n")
	gitIn(t, repo, "commit", "-q", "-am", "util.h: UTIL 5")
	return repo, proj
}

// affectedList runs gobuildj affected with args and returns the targets
// it listed, sorted, and its whole output.
func affectedList(t *testing.T, dir string, args ...string) ([]string, string) {
	t.Helper()
	r := gobuildj(t, dir, append([]string{"affected"}, args...)...)
	if r.code != 0 {
		t.Fatalf("gobuildj affected %v: exit code %d\n%s", args, r.code, r.out)
	}
	var names []string
	for _, l := range strings.Split(r.out, "\n") {
		if l != "" && !strings.HasPrefix(l, "gobuildj: ") {
			name, _, _ := strings.Cut(l, ":") // -v: "name: file"
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names, r.out
}

func TestAffectedHeaderCommit(t *testing.T) {
	_, proj := affectedRepo(t)

	// The commit touched util.h: a_o reads it through its depfile, headers
	// through its glob, gen as an input; app and headers_ck depend on
	// them. b_o and notes do not read it; extra does, but is not wanted.
	got, out := affectedList(t, proj)
	want := []string{"a_o", "app", "gen", "headers", "headers_ck"}
	if !slices.Equal(got, want) {
		t.Fatalf("affected: %v, want %v\n%s", got, want, out)
	}
	if !strings.Contains(out, "gobuildj: affected since main (the default branch, from a main branch), merge base ") ||
		!strings.Contains(out, ": 1 file changed, 5 of 7 targets affected") {
		t.Fatalf("affected does not say what it compared with:\n%s", out)
	}
	_, out = affectedList(t, proj, "-v")
	for _, line := range []string{
		"\na_o: include/util.h\n", "\napp: include/util.h (through a_o)\n",
		"\nheaders: include/util.h\n", "\nheaders_ck: include/util.h (through headers)\n",
		"\ngen: include/util.h\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("affected -v: no line %q in:\n%s", strings.TrimSpace(line), out)
		}
	}
	// Named targets narrow it; extra is affected when it is asked for.
	if got, out := affectedList(t, proj, "main", "app", "extra"); !slices.Equal(got, []string{"a_o", "app", "extra"}) {
		t.Fatalf("affected main app extra: %v\n%s", got, out)
	}

	// --affected builds those that need it, and no other.
	r := mustBuild(t, proj, "--affected")
	assertRan(t, proj, "a_o", "app", "headers", "headers_ck", "gen")
	if !strings.Contains(r.out, "5 of 7 targets affected") {
		t.Fatalf("--affected does not say what it found:\n%s", r.out)
	}
	mustBuild(t, proj, "--affected")
	assertRan(t, proj)
	mustBuild(t, proj)
	assertRan(t, proj)
	// A ref with nothing changed since: nothing to build.
	r = mustBuild(t, proj, "--affected=HEAD")
	assertRan(t, proj)
	if !strings.Contains(r.out, "0 files changed, 0 of 7 targets affected") {
		t.Fatalf("--affected=HEAD:\n%s", r.out)
	}
}

func TestAffectedUncommittedAndUntracked(t *testing.T) {
	repo, proj := affectedRepo(t)
	gitIn(t, repo, "checkout", "-q", "main") // back to util.h as built
	mustBuild(t, proj)
	assertRan(t, proj)

	// An untracked header matches headers' glob; an uncommitted edit of
	// notes.txt reaches notes.
	write(t, filepath.Join(proj, "include/new.h"), "#define NEW 1\n")
	write(t, filepath.Join(proj, "notes.txt"), "more notes\n")
	got, out := affectedList(t, proj, "-v")
	if want := []string{"headers", "headers_ck", "notes"}; !slices.Equal(got, want) {
		t.Fatalf("affected: %v, want %v\n%s", got, want, out)
	}
	if !strings.Contains(out, "\nheaders: include/new.h\n") || !strings.Contains(out, "\nnotes: notes.txt\n") {
		t.Fatalf("affected -v does not name the files:\n%s", out)
	}
	mustBuild(t, proj, "--affected")
	assertRan(t, proj, "headers", "headers_ck", "notes")
	mustBuild(t, proj, "--affected")
	assertRan(t, proj)
}

func TestAffectedBuildfileChange(t *testing.T) {
	_, proj := affectedRepo(t)
	bf := filepath.Join(proj, "Buildfile.toml")
	write(t, bf, read(t, bf)+"# a comment\n")
	got, out := affectedList(t, proj)
	if want := []string{"a_o", "app", "b_o", "gen", "headers", "headers_ck", "notes"}; !slices.Equal(got, want) {
		t.Fatalf("affected after a Buildfile change: %v, want %v\n%s", got, want, out)
	}
	if !strings.Contains(out, "Buildfile.toml changed: all 7 targets are affected") {
		t.Fatalf("affected does not say the Buildfile changed:\n%s", out)
	}
	// Everything is looked at; only what the commit changed runs.
	mustBuild(t, proj, "--affected")
	assertRan(t, proj, "a_o", "app", "headers", "headers_ck", "gen")
	mustBuild(t, proj, "--affected")
	assertRan(t, proj)
}

func TestAffectedShallowClone(t *testing.T) {
	repo, _ := affectedRepo(t)
	gitIn(t, repo, "checkout", "-q", "main") // the clone's origin/HEAD
	clone := filepath.Join(t.TempDir(), "clone")
	gitIn(t, filepath.Dir(clone), "clone", "-q", "--depth", "1", "--no-single-branch", "-b", "feature", "file://"+repo, clone)
	proj := filepath.Join(clone, "proj")

	for _, args := range [][]string{{"affected"}, {"--affected"}} {
		r := gobuildj(t, proj, args...)
		if r.code != 2 || !strings.Contains(r.out, "no merge base of origin/main and HEAD: this is a shallow clone") ||
			!strings.Contains(r.out, "git fetch --unshallow") || !strings.Contains(r.out, "--affected=REF") {
			t.Fatalf("gobuildj %v in a shallow clone: exit code %d, want 2 and a message naming the shallow clone:\n%s", args, r.code, r.out)
		}
		assertRan(t, proj)
	}
	// A ref that exists in the clone works.
	if got, out := affectedList(t, proj, "HEAD"); len(got) != 0 {
		t.Fatalf("affected HEAD in the clone: %v\n%s", got, out)
	}

	// A plain shallow clone of one branch has no main to compare with.
	single := filepath.Join(t.TempDir(), "single")
	gitIn(t, filepath.Dir(single), "clone", "-q", "--depth", "1", "-b", "feature", "file://"+repo, single)
	r := gobuildj(t, filepath.Join(single, "proj"), "affected")
	if r.code != 2 || !strings.Contains(r.out, "shallow clone") || !strings.Contains(r.out, "git fetch --unshallow") {
		t.Fatalf("affected in a single-branch shallow clone: exit code %d:\n%s", r.code, r.out)
	}
}
