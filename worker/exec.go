package worker

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// outputGrace is how long a command's output is still read after the
// command exited: a background process it started may keep the pipe open
// forever, and its later output is not the command's.
const outputGrace = 100 * time.Millisecond

// directArgs returns the words of cmd when it can be executed directly,
// without a shell: it has no shell syntax (only letters, digits, spaces,
// tabs and _@%+=:,./-) and its first word is neither a variable assignment
// nor a shell builtin or keyword. Direct execution saves a /bin/sh start
// (~0.4 ms) per command and gives the same result.
func directArgs(cmd string) ([]string, bool) {
	for i := 0; i < len(cmd); i++ {
		if !plainByte(cmd[i]) {
			return nil, false
		}
	}
	words := strings.FieldsFunc(cmd, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(words) == 0 || strings.ContainsRune(words[0], '=') || isShellWord(words[0]) {
		return nil, false
	}
	return words, true
}

func plainByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("_@%+=:,./- \t", c) >= 0
}

// isShellWord reports whether w is a shell keyword or a builtin that must
// run inside the shell (it acts on the shell itself, or a binary of that
// name would not do the same thing). Builtins that are also ordinary
// programs (echo, true, test, printf, pwd) are executed directly.
func isShellWord(w string) bool {
	switch w {
	case "!", "{", "}", "[[", "]]", "case", "do", "done", "elif", "else", "esac", "fi", "for",
		"function", "if", "in", "select", "then", "time", "until", "while",
		".", ":", "alias", "bg", "break", "builtin", "cd", "command", "continue", "declare",
		"eval", "exec", "exit", "export", "fc", "fg", "getopts", "hash", "jobs", "let", "local",
		"logout", "read", "readonly", "return", "set", "shift", "source", "times", "trap",
		"type", "typeset", "ulimit", "umask", "unalias", "unset", "wait":
		return true
	}
	return false
}

// lookPath finds the program name as the shell would with the PATH of env,
// relative to dir for a relative PATH entry. Hits in absolute PATH folders
// are cached for the worker's life; misses are not (an earlier target may
// build the program).
func (r *runner) lookPath(name string, env []string, dir string) (string, bool) {
	if strings.ContainsRune(name, '/') {
		return name, true // resolved against dir by execve, after the chdir
	}
	path, ok := getenv(env, "PATH")
	if !ok {
		return "", false
	}
	key := path + "\x00" + name
	if p, ok := r.paths[key]; ok {
		return p, true
	}
	cacheable := true
	for _, d := range strings.Split(path, ":") {
		if !strings.HasPrefix(d, "/") {
			cacheable = false
			if d == "" {
				d = "."
			}
			if !strings.HasPrefix(d, "/") {
				d = dir + "/" + d
			}
		}
		p := d + "/" + name
		var st unix.Stat_t
		if unix.Stat(p, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFREG && st.Mode&0o111 != 0 {
			if cacheable {
				r.paths[key] = p
			}
			return p, true
		}
	}
	return "", false
}

func getenv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key); ok && strings.HasPrefix(v, "=") {
			return v[1:], true
		}
	}
	return "", false
}

// command runs one command of job, writing its stdout and stderr to out.
// It executes the command directly when it can, through the shell
// otherwise, or when direct execution fails to start (the shell then
// reports the problem in its usual words: "not found", exit code 127).
func (r *runner) command(cmd string, job *Job, env []string, out *outputBuf) (syscall.WaitStatus, error) {
	if args, ok := directArgs(cmd); ok {
		if path, ok := r.lookPath(args[0], env, job.Dir); ok {
			ws, err := r.spawn(path, args, job, env, out)
			if err == nil {
				return ws, nil
			}
		}
	}
	return r.shell(cmd, job, env, out)
}

// shell runs cmd with the job's shell -c.
func (r *runner) shell(cmd string, job *Job, env []string, out *outputBuf) (syscall.WaitStatus, error) {
	sh := job.Shell
	if sh == "" {
		sh = "/bin/sh"
	}
	path, ok := r.lookPath(sh, env, job.Dir)
	if !ok {
		return 0, fmt.Errorf("shell %q not found in PATH", sh)
	}
	return r.spawn(path, []string{sh, "-c", cmd}, job, env, out)
}

// spawn runs path with argv in the worker's process group (the task's
// group, which TermTimeout and KillTimeout signal) with syscall.ForkExec,
// stdin from /dev/null, stdout and stderr into one pipe read into out, and
// reaps it with Wait4: the cheapest way to run a process from Go. A
// sandboxed job's command is forked from a thread its sandbox restricts.
func (r *runner) spawn(path string, argv []string, job *Job, env []string, out *outputBuf) (syscall.WaitStatus, error) {
	devNull, err := r.devNull()
	if err != nil {
		return 0, err
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return 0, fmt.Errorf("create output pipe: %w", err)
	}
	rfd, wfd := p[0], p[1]
	files := append(r.files[:0], uintptr(devNull), uintptr(wfd), uintptr(wfd))
	for _, fd := range job.Files {
		files = append(files, uintptr(fd))
	}
	r.files = files
	if job.Trace {
		return r.spawnTraced(path, argv, job, env, rfd, wfd, out)
	}
	pidfd := -1
	var pid int
	err = confined(job, func() error {
		var err error
		pid, err = syscall.ForkExec(path, argv, &syscall.ProcAttr{
			Dir:   job.Dir,
			Env:   env,
			Files: files,
			Sys:   &syscall.SysProcAttr{PidFD: &pidfd},
		})
		return err
	})
	unix.Close(wfd)
	if err != nil {
		unix.Close(rfd)
		return 0, fmt.Errorf("start %s: %w", path, err)
	}
	var ws syscall.WaitStatus
	var waited chan error
	exitFD := pidfd
	if pidfd < 0 {
		// No pidfd (Linux < 5.3): a goroutine waits and closes a pipe.
		var e [2]int
		if err := unix.Pipe2(e[:], unix.O_CLOEXEC); err != nil {
			unix.Close(rfd)
			wait4(pid, &ws)
			return ws, fmt.Errorf("create exit pipe: %w", err)
		}
		exitFD = e[0]
		waited = make(chan error, 1)
		go func() {
			err := wait4(pid, &ws)
			unix.Close(e[1])
			waited <- err
		}()
	}
	readErr := drain(rfd, exitFD, out)
	unix.Close(rfd)
	if waited != nil {
		err = <-waited
	} else {
		err = wait4(pid, &ws)
	}
	unix.Close(exitFD)
	if err != nil {
		return ws, fmt.Errorf("wait for %s: %w", path, err)
	}
	if readErr != nil {
		return ws, fmt.Errorf("read output of %s: %w", path, readErr)
	}
	return ws, nil
}

func wait4(pid int, ws *syscall.WaitStatus) error {
	for {
		_, err := syscall.Wait4(pid, ws, 0, nil)
		if err != syscall.EINTR {
			return err
		}
	}
}

// drain writes what the pipe rfd delivers to out until EOF, or until
// outputGrace after exitFD (a pidfd, or a pipe closed on exit) becomes
// readable: the command exited but a process it left behind holds the
// pipe.
func drain(rfd, exitFD int, out *outputBuf) error {
	if err := unix.SetNonblock(rfd, true); err != nil {
		return err
	}
	fds := []unix.PollFd{{Fd: int32(rfd), Events: unix.POLLIN}, {Fd: int32(exitFD), Events: unix.POLLIN}}
	var deadline time.Time
	for {
		timeout := -1
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return nil
			}
			timeout = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		n, err := unix.Poll(fds, timeout)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("poll: %w", err)
		}
		if n == 0 {
			continue // deadline: checked above
		}
		if fds[0].Revents != 0 {
			for {
				k, err := out.readFrom(rfd)
				if k > 0 {
					continue
				}
				if k == 0 && err == nil {
					return nil // EOF
				}
				if err == unix.EINTR {
					continue
				}
				if errors.Is(err, unix.EAGAIN) {
					break
				}
				return err
			}
		}
		if len(fds) == 2 && fds[1].Revents != 0 {
			deadline = time.Now().Add(outputGrace)
			fds = fds[:1]
		}
	}
}

// devNull returns a descriptor of /dev/null, opened once per worker.
func (r *runner) devNull() (int, error) {
	if r.null < 0 {
		fd, err := unix.Open(os.DevNull, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return -1, fmt.Errorf("open %s: %w", os.DevNull, err)
		}
		r.null = fd
	}
	return r.null, nil
}
