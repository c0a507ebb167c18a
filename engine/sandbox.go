package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gobuildj/gobuildj/depcheck"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/sandbox"
)

// SandboxMode says which targets' commands run in the Landlock sandbox
// (package sandbox).
type SandboxMode uint8

const (
	// SandboxDeclared sandboxes the targets that say sandbox = true.
	SandboxDeclared SandboxMode = iota
	// SandboxAll sandboxes every target (--sandbox).
	SandboxAll
	// SandboxOff sandboxes none: the kernel cannot, and the build was
	// told so (a warning, printed before it).
	SandboxOff
)

// systemRead are the folders and files every sandboxed command may read
// and execute: the system's programs, libraries, configuration and
// headers, and the kernel's views of the process. They hold nothing of
// the project. A path missing here grants nothing.
var systemRead = []string{
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/etc", "/opt", "/nix/store",
	"/proc", "/sys/devices/system/cpu", "/dev/urandom", "/dev/random", "/dev/zero",
}

// systemWrite are the files every sandboxed command may write: the ones
// that hold nothing.
var systemWrite = []string{"/dev/null", "/dev/full"}

// toolchainFolders are what every sandboxed command may use of the
// toolchains installed outside the system folders: read their
// installations and settings, read and write their content-keyed caches
// (Go's build cache, ccache, ...), as check allows them. Found once per
// build.
type toolchainFolders struct {
	read, write []string
}

// sandboxed reports whether t's commands run in the sandbox.
func (b *builder) sandboxed(t *graph.Target) bool {
	switch b.opts.Sandbox {
	case SandboxAll:
		return true
	case SandboxOff:
		return false
	}
	return t.Sandbox
}

// policy is what n's commands may touch in the sandbox: read its inputs
// (declared, and those its last depfile, its last trace or its dyndep
// named), the outputs of its deps that it consumes, its tools'
// installations and the system; write the folders of its outputs and of
// its depfile, and the jobserver's fifo. The worker adds a private temp
// folder (TMPDIR). On a run that is to find its inputs (firstDiscovery),
// the whole project may be read.
func (b *builder) policy(n *node) *sandbox.Policy {
	t := n.t
	if b.toolchains == nil {
		sys, caches := depcheck.ToolchainFolders(os.LookupEnv)
		b.toolchains = &toolchainFolders{read: sys, write: caches}
	}
	p := &sandbox.Policy{
		Read:  slices.Concat(systemRead, b.toolchains.read),
		Write: slices.Concat(systemWrite, b.toolchains.write),
	}
	// Listing the project's folders reads no file: tools that walk it
	// (go vet ./..., find) work, and what they read of it is still
	// checked.
	p.List = []string{b.g.Root}
	if b.firstDiscovery(t) {
		p.Read = append(p.Read, b.g.Root)
	}
	if a := n.action; a != nil {
		for _, in := range a.Inputs {
			p.Read = append(p.Read, b.abs(in.Path))
		}
		for _, o := range a.DepOutputs {
			p.Read = append(p.Read, b.abs(o.Path))
		}
		for _, tool := range a.Tools {
			if tool.Path != "" {
				p.Read = append(p.Read, toolchain(b.g.Root, tool.Path)...)
			}
		}
	} else {
		for _, in := range t.Inputs {
			p.Read = append(p.Read, b.abs(in))
		}
	}
	for _, o := range t.Outputs {
		p.Write = append(p.Write, filepath.Dir(b.abs(o)))
	}
	if t.Depfile != "" {
		p.Write = append(p.Write, filepath.Dir(b.abs(t.Depfile)))
	}
	if b.js != nil && b.js.Fifo() != "" {
		p.Write = append(p.Write, b.js.Fifo()) // nested make opens it
	}
	slices.Sort(p.Read)
	p.Read = slices.Compact(p.Read)
	slices.Sort(p.Write)
	p.Write = slices.Compact(p.Write)
	return p
}

// firstDiscovery reports whether t learns its inputs by running (a
// depfile, or tracing) and has no record of such a run yet: the headers a
// compilation includes are known only once its depfile is read, so its
// first run may read every file of the project (Landlock cannot grant a
// folder minus some of its files: the state folder too), and its later
// runs what the last one recorded. A depfile target's record counts when
// the run wrote the depfile it declares now; a traced target's, any
// record (one from a run that was not traced lists nothing it read
// undeclared). Writes stay confined either way, and gobuildj check names
// what such a run read undeclared.
func (b *builder) firstDiscovery(t *graph.Target) bool {
	if t.Depfile == "" && !b.tracing(t) {
		return false
	}
	rec, ok := b.store.Target(t.Name)
	if !ok {
		return true
	}
	return t.Depfile != "" && rec.Depfile != t.Depfile
}

// toolchain is what a sandboxed command may read of a tool it runs: the
// tool itself when it lies in the project (it is a file of the project
// like any other), else its installation: its folder, and the folder above
// when that is a bin folder (/usr/local/go/bin/go reads
// /usr/local/go/pkg), for the path as found and with its symbolic links
// resolved. A folder above that is the home folder or the root is not
// granted.
func toolchain(root, path string) []string {
	if inside(root, path) {
		return []string{path}
	}
	paths := []string{path}
	if real, err := filepath.EvalSymlinks(path); err == nil && real != path {
		paths = append(paths, real)
	}
	home, _ := os.UserHomeDir()
	var out []string
	for _, p := range paths {
		dir := filepath.Dir(p)
		out = append(out, dir)
		if filepath.Base(dir) == "bin" {
			if up := filepath.Dir(dir); up != "/" && up != home && !inside(up, root) {
				out = append(out, up)
			}
		}
	}
	return out
}

// inside reports whether path is dir or lies under it.
func inside(dir, path string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}
