package engine

import (
	"encoding/hex"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/remote"
)

// A target's tools are the programs its commands run, found as the shell
// and the worker find them, and those it declares in `tools`: their
// contents enter its action key, so that another compiler first in PATH,
// or the compiler upgraded in place, never reuses a result of the old one.
//
// The programs of a command are the first word of each of its simple
// commands (split on ; & | newlines and parentheses, outside quotes), less
// variable assignments (A=b cmd), shell keywords and builtins, and the
// words that cannot be known before the shell runs (holding $, `, quotes,
// backslashes or glob characters). A name without "/" is looked up in the
// PATH the command sees (its `env`'s PATH if it sets one, else the one
// gobuildj inherited); a path is relative to the command's folder.

// toolResolver finds and hashes tools for one build: a name is looked up
// in a PATH once, and a file outside the project hashed (through the file
// states' stat fast path) once. Files inside the project are asked for
// each time, as inputs are: a dep may rewrite them during the build.
type toolResolver struct {
	root      string
	files     *cache.Files
	lookupEnv func(string) (string, bool)
	path      string                          // the inherited PATH
	found     map[lookupDir]map[string]string // PATH and folder -> name -> the file ("" if none)
	// last is the lookup of the last target: most targets share it.
	last      lookupDir
	lastFound map[string]string
	hashes    map[string]cache.Hash // a file outside the project -> its content hash
	words     []string              // scratch
	// read and dirs are what the build read of programs: the files
	// hashed and the folders names were looked up in (Options.Programs).
	read, dirs map[string]bool
}

// lookupDir is where names are looked up: a PATH, from a folder.
type lookupDir struct{ path, dir string }

// newToolResolver returns a resolver for a build of the project at root.
func newToolResolver(root string, files *cache.Files, lookupEnv func(string) (string, bool)) *toolResolver {
	path, _ := lookupEnv("PATH")
	return &toolResolver{
		root:      root,
		files:     files,
		lookupEnv: lookupEnv,
		path:      path,
		found:     make(map[lookupDir]map[string]string),
		hashes:    make(map[string]cache.Hash),
		read:      make(map[string]bool),
		dirs:      make(map[string]bool),
	}
}

// tools returns the tools of t, each resolved and hashed, in the order its
// commands and then its `tools` name them, each name once.
func (r *toolResolver) tools(t *graph.Target) []cache.Tool {
	path, ok := envValue(t.Env, "PATH")
	if !ok {
		path = r.path
	}
	dir := r.root
	if t.Dir != "." {
		dir = filepath.Join(r.root, t.Dir)
	}
	r.words = r.words[:0]
	for _, c := range t.Cmds {
		r.words = commandPrograms(c, r.words)
	}
	r.words = append(r.words, t.Tools...)
	tools := make([]cache.Tool, 0, len(r.words))
	for i, name := range r.words {
		if seen(r.words[:i], name) {
			continue
		}
		tool := cache.Tool{Name: name}
		if i >= len(r.words)-len(t.Tools) && isProjectPath(name) {
			tool.Path = filepath.Join(r.root, name) // a declared tool: relative to the root
		} else {
			tool.Path = r.find(name, path, dir)
		}
		if tool.Path != "" {
			if h, err := r.hash(tool.Path); err == nil {
				tool.Hash = h
			} else {
				// Not there (yet), or not a file that can be read: the
				// key says "missing", and its appearance changes it. The
				// command will say what is wrong, if anything.
				tool.Path = ""
			}
		}
		tools = append(tools, tool)
	}
	return tools
}

// isProjectPath reports whether a declared tool is a path relative to the
// project's root (graph.Target.Tools writes them "./x").
func isProjectPath(name string) bool { return strings.HasPrefix(name, "./") }

func seen(words []string, w string) bool {
	for _, x := range words {
		if x == w {
			return true
		}
	}
	return false
}

// find returns the file that name resolves to for a command in folder dir
// with PATH path, or "" if none: a name with "/" is a path (relative to
// dir), which need not exist yet; any other is looked up in path's folders
// (an empty entry or a relative one is relative to dir) for an executable
// regular file, as execvp does.
func (r *toolResolver) find(name, path, dir string) string {
	if strings.ContainsRune(name, '/') {
		if filepath.IsAbs(name) {
			return filepath.Clean(name)
		}
		return filepath.Join(dir, name)
	}
	if r.lastFound == nil || r.last.path != path || r.last.dir != dir {
		r.last = lookupDir{path, dir}
		r.lastFound = r.found[r.last]
		if r.lastFound == nil {
			r.lastFound = make(map[string]string)
			r.found[r.last] = r.lastFound
		}
	}
	if p, ok := r.lastFound[name]; ok {
		return p
	}
	found := ""
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			d = "."
		}
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		r.dirs[d] = true
		p := filepath.Join(d, name)
		var st unix.Stat_t
		if unix.Stat(p, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFREG && st.Mode&0o111 != 0 {
			found = p
			break
		}
	}
	r.lastFound[name] = found
	return found
}

// used returns what the build read of programs: the files hashed and the
// folders looked in, sorted.
func (r *toolResolver) used() (files, dirs []string) {
	for f := range r.read {
		files = append(files, f)
	}
	for d := range r.dirs {
		dirs = append(dirs, d)
	}
	slices.Sort(files)
	slices.Sort(dirs)
	return files, dirs
}

// hash returns the content hash of the tool at abs.
func (r *toolResolver) hash(abs string) (cache.Hash, error) {
	inside := abs == r.root || strings.HasPrefix(abs, r.root+string(filepath.Separator))
	if !inside {
		if h, ok := r.hashes[abs]; ok {
			return h, nil
		}
	}
	r.read[abs] = true
	st, err := r.files.State(abs)
	if err != nil {
		return cache.Hash{}, err
	}
	if !inside {
		r.hashes[abs] = st.Hash
	}
	return st.Hash, nil
}

// envInputs returns the values of the inherited variables t declares in
// env_inputs, as the action key takes them (hashes), and "NAME=value" for
// those the state may keep to show (cache.ShowableEnv).
func envInputs(t *graph.Target, lookupEnv func(string) (string, bool)) (hashes []cache.PathHash, shown []string) {
	if len(t.EnvInputs) == 0 {
		return nil, nil
	}
	hashes = make([]cache.PathHash, len(t.EnvInputs))
	for i, name := range t.EnvInputs {
		v, ok := lookupEnv(name)
		hashes[i] = cache.PathHash{Path: name, Hash: cache.EnvHash(v, ok)}
		if ok && cache.ShowableEnv(name, v) {
			shown = append(shown, name+"="+v)
		}
	}
	return hashes, shown
}

// envValue returns the value of key in env ("KEY=value" entries).
func envValue(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key); ok && strings.HasPrefix(v, "=") {
			return v[1:], true
		}
	}
	return "", false
}

// commandPrograms appends to words the programs that the shell command cmd
// runs, as far as they can be known without running it.
func commandPrograms(cmd string, words []string) []string {
	if w, ok := plainProgram(cmd); ok {
		if w != "" {
			words = append(words, w)
		}
		return words
	}
	start := true // the next word is in command position
	skipNext := false
	i := 0
	for i < len(cmd) {
		c := cmd[i]
		switch {
		case c == ' ' || c == '\t':
			i++
			continue
		case c == '&' && redirectAmp(cmd, i):
			// &> is a redirection, read as a word below.
		case c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')':
			start, skipNext = true, false
			i++
			continue
		case c == '#':
			for i < len(cmd) && cmd[i] != '\n' {
				i++
			}
			continue
		}
		w, opaque, end := shellWord(cmd, i)
		i = end
		switch {
		case skipNext: // the file of a redirection
			skipNext = false
		case !start: // an argument
		case strings.ContainsAny(w, "<>"):
			// A redirection: its file follows unless it is attached.
			skipNext = strings.HasSuffix(w, ">") || strings.HasSuffix(w, "<") || strings.HasSuffix(w, "&")
		case opaque:
			start = false
		case isAssignment(w):
			// A=b cmd: cmd is still in command position.
		case commandPrefix(w):
			// if cmd, then cmd, exec cmd: the next word is a command.
		case shellOnly(w):
			start = false
		default:
			words = append(words, w)
			start = false
		}
	}
	return words
}

// plainProgram is commandPrograms' fast path for the most common command,
// one without shell syntax (only letters, digits, blanks and _@%+,./-:=):
// its program is its first word, unless that is an assignment or a
// builtin ("" then). ok is false for any other command.
func plainProgram(cmd string) (w string, ok bool) {
	first := -1
	end := len(cmd)
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '_', c == '@', c == '%', c == '+', c == ',', c == '.', c == '/', c == '-', c == ':':
			if first < 0 {
				first = i
			}
		case c == ' ' || c == '\t':
			if first >= 0 && end == len(cmd) {
				end = i
			}
		case c == '=':
			if end == len(cmd) {
				return "", false // an assignment first: the general path
			}
		default:
			return "", false
		}
	}
	if first < 0 {
		return "", true
	}
	w = cmd[first:end]
	if commandPrefix(w) || shellOnly(w) {
		return "", false
	}
	return w, true
}

// shellWord reads the word of cmd that starts at i: it ends at an unquoted
// blank or separator. opaque reports that it holds what only the shell can
// resolve (quotes, $, `, \ or glob characters).
func shellWord(cmd string, i int) (w string, opaque bool, end int) {
	j := i
	var quote byte
	for j < len(cmd) {
		c := cmd[j]
		if quote != 0 {
			if c == quote {
				quote = 0
			} else if c == '\\' && quote == '"' {
				j++
			}
			j++
			continue
		}
		switch c {
		case '&':
			if !redirectAmp(cmd, j) {
				return cmd[i:j], opaque, j
			}
		case ' ', '\t', ';', '|', '\n', '(', ')':
			return cmd[i:j], opaque, j
		case '\'', '"':
			quote, opaque = c, true
		case '\\':
			opaque = true
			j++
		case '$', '`', '*', '?', '[', '~':
			opaque = true
		}
		j++
	}
	return cmd[i:min(j, len(cmd))], opaque, len(cmd)
}

// redirectAmp reports whether the & at cmd[i] belongs to a redirection
// (2>&1, <&3, &>file) rather than ending a command.
func redirectAmp(cmd string, i int) bool {
	return i > 0 && (cmd[i-1] == '>' || cmd[i-1] == '<') || i+1 < len(cmd) && cmd[i+1] == '>'
}

// isAssignment reports whether w is a variable assignment (NAME=value).
func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	return strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	}) < 0
}

// commandPrefix reports whether the word after w is in command position.
func commandPrefix(w string) bool {
	switch w {
	case "!", "{", "if", "then", "else", "elif", "while", "until", "do", "time", "exec", "command", "builtin":
		return true
	}
	return false
}

// shellOnly reports whether w is a shell keyword or builtin: a command the
// shell runs itself, not a program.
func shellOnly(w string) bool {
	switch w {
	case "}", "[[", "]]", "case", "done", "esac", "fi", "for", "function", "in", "select",
		".", ":", "[", "alias", "bg", "break", "cd", "continue", "declare", "echo", "eval",
		"exit", "export", "false", "fc", "fg", "getopts", "hash", "jobs", "kill", "let", "local",
		"logout", "printf", "pwd", "read", "readonly", "return", "set", "shift", "source", "test",
		"times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait":
		return true
	}
	return false
}

// remoteToolSalt returns what a remote action's key adds for a's tools:
// their SHA-256s (the fast xxh3 hashes never go on the wire, where a key
// must resist forged collisions), and the tools as `why --remote` lists
// them. The declared variables need nothing here: they are in the
// Command's environment (remoteEnv). ok is false when a tool cannot be
// read: the target then runs locally.
func (b *builder) remoteToolSalt(a *cache.Action) (salt string, tools []remote.Tool, ok bool) {
	if len(a.Tools) == 0 {
		return "", nil, true
	}
	var s strings.Builder
	for _, t := range a.Tools {
		s.WriteString("\x00tool ")
		s.WriteString(t.Name)
		if t.Path == "" {
			s.WriteString(" missing")
			tools = append(tools, remote.Tool{Name: t.Name, SHA256: "missing"})
			continue
		}
		sum, _, _, err := b.store.Digests().SHA256(t.Path)
		if err != nil {
			return "", nil, false
		}
		h := hex.EncodeToString(sum[:])
		s.WriteString(" " + h)
		tools = append(tools, remote.Tool{Name: t.Name, Path: t.Path, SHA256: h})
	}
	return s.String(), tools, true
}
