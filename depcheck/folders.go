package depcheck

import (
	"os/exec"
	"path/filepath"
	"runtime"
)

// SystemFolders are the folders outside the project whose reads are never
// reported: what the system provides to every command.
var SystemFolders = []string{"/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc", "/opt", "/proc", "/sys", "/dev", "/run", "/nix/store"}

// TempFolders are the folders whose reads and writes are never reported
// (with $TMPDIR).
var TempFolders = []string{"/tmp", "/var/tmp", "/dev"}

// ToolchainFolders returns what toolchains read outside the system folders
// (GOROOT, GOPATH's bin, go env settings: sys) and the caches they read
// and write, whose entries are keyed by the content they were made from
// (Go's build and module caches and settings folder, cargo's and
// rustup's homes, ccache's and sccache's caches), as env (os.LookupEnv)
// places them. check does not report them; the sandbox lets commands use
// them.
func ToolchainFolders(env func(string) (string, bool)) (sys, caches []string) {
	sys, _, caches = defaultFolders(env)
	return sys[len(SystemFolders):], caches
}

// defaultFolders returns the folders whose reads are not reported (sys),
// whose reads and writes are not (tmp), and the toolchains' caches, whose
// reads and writes are not (caches): Go's GOROOT, module cache, build
// cache and settings folder (go env -w, telemetry counters), rustup's
// and cargo's homes, and ccache's and sccache's caches.
func defaultFolders(env func(string) (string, bool)) (sys, tmp, caches []string) {
	get := func(k string) string { v, _ := env(k); return v }
	sys = append(sys, SystemFolders...)
	tmp = append(tmp, TempFolders...)
	if d := get("TMPDIR"); filepath.IsAbs(d) {
		tmp = append(tmp, filepath.Clean(d))
	}
	home := get("HOME")
	// The Go toolchain: GOROOT (from the environment, the go in PATH, or
	// the one gobuildj was built with).
	if r := get("GOROOT"); filepath.IsAbs(r) {
		sys = append(sys, r)
	}
	if p, err := exec.LookPath("go"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			sys = append(sys, filepath.Dir(filepath.Dir(real)))
		}
	}
	// The GOROOT gobuildj was built with is a fair guess of the toolchain's.
	if r := runtime.GOROOT(); r != "" {
		sys = append(sys, r)
	}
	gopath := get("GOPATH")
	if gopath == "" && home != "" {
		gopath = filepath.Join(home, "go")
	}
	if m := get("GOMODCACHE"); filepath.IsAbs(m) {
		caches = append(caches, m)
	} else if gopath != "" {
		caches = append(caches, filepath.Join(filepath.SplitList(gopath)[0], "pkg", "mod"))
	}
	if gopath != "" {
		sys = append(sys, filepath.Join(filepath.SplitList(gopath)[0], "bin"))
	}
	cacheHome := get("XDG_CACHE_HOME")
	if cacheHome == "" && home != "" {
		cacheHome = filepath.Join(home, ".cache")
	}
	if c := get("GOCACHE"); filepath.IsAbs(c) {
		caches = append(caches, c)
	} else if cacheHome != "" {
		caches = append(caches, filepath.Join(cacheHome, "go-build"))
	}
	configHome := get("XDG_CONFIG_HOME")
	if configHome == "" && home != "" {
		configHome = filepath.Join(home, ".config")
	}
	// go/env holds `go env -w` settings; go/telemetry the toolchain's
	// counters, written by every go command.
	if e := get("GOENV"); filepath.IsAbs(e) {
		sys = append(sys, e)
	}
	if configHome != "" {
		caches = append(caches, filepath.Join(configHome, "go"))
	}
	for _, k := range []string{"CARGO_HOME", "RUSTUP_HOME"} {
		if d := get(k); filepath.IsAbs(d) {
			caches = append(caches, d)
		}
	}
	if home != "" {
		caches = append(caches, filepath.Join(home, ".cargo"), filepath.Join(home, ".rustup"), filepath.Join(home, ".ccache"))
	}
	// Compiler caches: what they keep is keyed by the content they hash.
	for _, k := range []string{"CCACHE_DIR", "SCCACHE_DIR"} {
		if d := get(k); filepath.IsAbs(d) {
			caches = append(caches, d)
		}
	}
	if cacheHome != "" {
		caches = append(caches, filepath.Join(cacheHome, "ccache"), filepath.Join(cacheHome, "sccache"))
	}
	return sys, tmp, caches
}
