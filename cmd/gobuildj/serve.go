package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/statedir"
	"github.com/gobuildj/gobuildj/watch"
)

// clientStdio is the terminal of a build server's client: the files its
// stdin, stdout and stderr are (passed over the socket), and its resizes.
type clientStdio struct {
	stdin, stdout, stderr *os.File
	resized               <-chan os.Signal
	// stat, if set, stats the files of the build (the server's
	// watch.StatCache).
	stat func(dir string, paths []string, workers int) []cache.StatResult
	// memo, if set, is the server's memo of its last build that ran
	// nothing; key names this request in it.
	memo *noopMemo
	key  string
	// graph, if set, is the graph the server keeps across its builds.
	graph *graph.Kept
}

// clientOut is a client's stdout or stderr in the server: once the client
// is gone (dead), what the build still prints is dropped.
type clientOut struct {
	f    *os.File
	dead *atomic.Bool
}

func (o *clientOut) Write(p []byte) (int, error) {
	if o.dead.Load() {
		return len(p), nil
	}
	return o.f.Write(p)
}

// Fd is the client's file descriptor, for the terminal's facts (is it one,
// how wide).
func (o *clientOut) Fd() uintptr { return o.f.Fd() }

// buildServer is a running gobuildj server: it accepts connections on its
// socket and runs their builds one at a time, in this process.
type buildServer struct {
	buildfile string
	state     statedir.Dir
	identity  string
	idle      time.Duration
	started   time.Time
	log       io.Writer
	stats     *watch.StatCache // nil when the folders cannot be watched
	memo      *noopMemo        // the last build that ran nothing
	graph     graph.Kept       // the graph of the last build

	busy     chan struct{} // holds a token while a build runs
	stopping chan struct{} // closed when the server stops
	recycle  chan struct{} // the server should hand over to a fresh one
	stopOnce sync.Once

	mu      sync.Mutex
	builds  int
	last    time.Time      // when the last build ended, or the server started
	trimmed bool           // the heap was returned to the system since the last build
	current chan os.Signal // the running build's signals; nil between builds
	losses  int64          // the stat cache's losses of events already logged
	logMu   sync.Mutex     // orders the lines of the server's log
}

// serve runs the build server of buildfile until a signal, gobuildj server
// stop, idle minutes without a build, or the disappearance of its
// Buildfile or socket ends it.
func serve(buildfile string, idle time.Duration, logw io.Writer, signals <-chan os.Signal) error {
	state := stateOf(buildfile)
	if err := state.Mkdir(); err != nil {
		return err
	}
	lock, err := statedir.OpenFile(state.ServerLock(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("server lock: %w", err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return fmt.Errorf("a build server already runs for %s (gobuildj server status)", state.Project())
	}
	sock := state.ServerSocket()
	switch err := checkSocket(sock); {
	case err == nil: // a server that died left it: the lock is ours
		if err := os.Remove(sock); err != nil {
			return fmt.Errorf("server: %w", err)
		}
	case !errors.Is(err, errNoServer):
		return err
	}
	old := unix.Umask(0o177) // the socket is born 0600
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	unix.Umask(old)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", sock, err)
	}
	defer ln.Close()
	if err := os.Chmod(sock, 0o600); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	var sockStat unix.Stat_t
	if err := unix.Lstat(sock, &sockStat); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	sv := &buildServer{
		buildfile: buildfile, state: state, identity: exeIdentity(), idle: idle,
		started: time.Now(), log: logw,
		busy: make(chan struct{}, 1), stopping: make(chan struct{}), recycle: make(chan struct{}, 1),
		last: time.Now(),
	}
	if sv.stats, err = watch.NewStatCache(state.Project(), state.Path()); err != nil {
		sv.logf("every build stats every file: %v", err)
	} else {
		defer sv.stats.Close()
		sv.memo = &noopMemo{generation: sv.stats.Generation}
	}
	sv.logf("pid %d listening on %s (ends after %s without a build)", os.Getpid(), sock, idle)
	go func() {
		for {
			conn, err := ln.AcceptUnix()
			if err != nil {
				return
			}
			go sv.handle(conn)
		}
	}()
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	why, recycle := "", false
	for why == "" {
		select {
		case sig := <-signals:
			why = sig.String()
		case <-sv.recycle:
			why, recycle = "handing over to a fresh server (old state files held mapped)", true
		case <-sv.stopping:
			why = "gobuildj server stop"
		case <-ticker.C:
			why = sv.check(sock, sockStat)
			if why != "" && strings.Contains(why, "socket") {
				ln.SetUnlinkOnClose(false) // it is not ours any more
			}
		}
	}
	sv.stop()
	ln.Close()
	sv.mu.Lock()
	if sv.current != nil && !recycle { // stop the build in progress as Ctrl-C would
		select {
		case sv.current <- syscall.SIGTERM:
		default:
		}
	}
	sv.mu.Unlock()
	sv.busy <- struct{}{} // wait for it (a handover lets it finish)
	sv.logf("stopping: %s", why)
	if recycle {
		lock.Close() // the next server takes it
		pid, err := startServer(buildfile, idle, "")
		if err != nil {
			return err
		}
		sv.logf("pid %d took over", pid)
	}
	return nil
}

// stop makes the server stop.
func (sv *buildServer) stop() { sv.stopOnce.Do(func() { close(sv.stopping) }) }

// check says why the server should end now, if it should: idle too long,
// its Buildfile gone, its socket gone or replaced.
func (sv *buildServer) check(sock string, was unix.Stat_t) string {
	if _, err := os.Stat(sv.buildfile); err != nil {
		return fmt.Sprintf("the Buildfile %s is gone", sv.buildfile)
	}
	var st unix.Stat_t
	if err := unix.Lstat(sock, &st); err != nil || st.Ino != was.Ino || st.Dev != was.Dev {
		return fmt.Sprintf("its socket %s is gone", sock)
	}
	sv.mu.Lock()
	idle := sv.current == nil
	since := time.Since(sv.last)
	trim := idle && !sv.trimmed && since >= 2*time.Second
	if trim {
		sv.trimmed = true
	}
	sv.mu.Unlock()
	if idle && since >= sv.idle {
		return fmt.Sprintf("no build for %s", sv.idle)
	}
	if trim {
		// What the last build left is garbage: give it back while no
		// build waits, rather than let the heap sit at twice its size.
		debug.FreeOSMemory()
	}
	return ""
}

func (sv *buildServer) logf(format string, args ...any) {
	sv.logMu.Lock()
	defer sv.logMu.Unlock()
	fmt.Fprintf(sv.log, "gobuildj server: %s %s\n", time.Now().Format("2006-01-02 15:04:05"), fmt.Sprintf(format, args...))
}

// handle serves one connection.
func (sv *buildServer) handle(conn *net.UnixConn) {
	defer conn.Close()
	uid, pid, err := peerUID(conn)
	if err != nil || uid != uint32(os.Getuid()) {
		sv.logf("refused a connection of user %d (pid %d): %v", uid, pid, err)
		return
	}
	req, files, dec, err := readRequest(conn)
	if err != nil {
		if !errors.Is(err, io.EOF) { // not a probe that only connected
			sv.logf("pid %d: %v", pid, err)
		}
		return
	}
	rep := &replier{enc: json.NewEncoder(conn)}
	switch req.Op {
	case opStatus:
		closeAll(files)
		_ = rep.send(serverReply{Kind: replyStatus, Status: sv.status()})
	case opStop:
		closeAll(files)
		_ = rep.send(serverReply{Kind: replyStopping, Status: &serverStatus{PID: os.Getpid()}})
		sv.stop()
	case opBuild:
		sv.build(req, files, dec, rep, int(pid))
	default:
		closeAll(files)
		_ = rep.send(serverReply{Kind: replyRefused, Why: fmt.Sprintf("unknown request %q", req.Op)})
	}
}

// status is what the server says of itself.
func (sv *buildServer) status() *serverStatus {
	sv.mu.Lock()
	st := &serverStatus{
		PID: os.Getpid(), Buildfile: sv.buildfile, Started: sv.started.UnixNano(),
		Builds: sv.builds, Idle: sv.idle.String(),
	}
	st.RSS, st.Anon = selfRSS()
	sv.mu.Unlock()
	if g, err := graph.LoadCachedWith(sv.buildfile, false, nil); err == nil {
		st.Targets = len(g.Targets)
	}
	return st
}

// build runs the build of a client's request, as the client would have
// run it, on the client's terminal.
func (sv *buildServer) build(req serverRequest, files []*os.File, dec *json.Decoder, rep *replier, peer int) {
	refuse := func(why string) {
		closeAll(files)
		_ = rep.send(serverReply{Kind: replyRefused, Why: why})
	}
	switch {
	case len(files) != stdioFDs:
		refuse("the request did not carry stdin, stdout and stderr")
		return
	case req.Identity != sv.identity:
		refuse("the server is another gobuildj (" + sv.identity + ")")
		return
	case req.Buildfile != sv.buildfile:
		refuse("the server builds " + sv.buildfile)
		return
	}
	sigs := make(chan os.Signal, 4)
	resized := make(chan os.Signal, 1)
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		for {
			var m clientMessage
			if err := dec.Decode(&m); err != nil {
				return
			}
			switch m.Kind {
			case msgSignal:
				select {
				case sigs <- syscall.Signal(m.Signal):
				default:
				}
			case msgResize:
				select {
				case resized <- syscall.SIGWINCH:
				default:
				}
			}
		}
	}()
	select {
	case sv.busy <- struct{}{}:
	default:
		if descendsFrom(peer, os.Getpid()) {
			// A command of the running build runs gobuildj here: it
			// would wait for its own build.
			refuse("a command of the server's build")
			return
		}
		_ = rep.send(serverReply{Kind: replyWait})
		select {
		case sv.busy <- struct{}{}:
		case <-gone:
			closeAll(files)
			return
		case <-sv.stopping:
			refuse("the server stops")
			return
		}
	}
	var released sync.Once
	release := func() { released.Do(func() { <-sv.busy }) }
	defer release()
	select {
	case <-sv.stopping:
		refuse("the server stops")
		return
	default:
	}
	sv.mu.Lock()
	sv.current = sigs
	sv.builds++
	sv.mu.Unlock()
	start := time.Now()
	var hits, misses int64
	if sv.stats != nil {
		hits, misses = sv.stats.Hits.Load(), sv.stats.Misses.Load()
	}
	replays := sv.memo.count()
	code, exit := sv.run(req, files, sigs, resized, gone, rep)
	sv.mu.Lock()
	sv.current = nil
	sv.last = time.Now()
	sv.trimmed = false
	sv.mu.Unlock()
	stats := ""
	switch {
	case sv.memo.count() != replays:
		stats = " (nothing changed since the last build that ran nothing: told again from memory)"
	case sv.stats != nil:
		stats = fmt.Sprintf(" (stats: %d from memory, %d from the file system)", sv.stats.Hits.Load()-hits, sv.stats.Misses.Load()-misses)
	}
	sv.logf("built %q for pid %d: exit code %d in %s%s", req.Args, peer, code, time.Since(start).Round(time.Microsecond), stats)
	if sv.stats != nil {
		if n, err := sv.stats.Losses(); n != sv.losses {
			sv.losses = n
			sv.logf("inotify lost events before or during that build (%v): every stat kept was dropped, and the files were stated again", err)
		}
	}
	// Free before the client hears the end: its next command must not
	// find the server busy.
	release()
	exit(code)
	if holdsTooMuch(sv.state.Path()) {
		select {
		case sv.recycle <- struct{}{}:
		default:
		}
	}
}

// run runs a build in the client's environment and working folder, and
// closes the client's files. It returns the exit code and what sends it to
// the client (once: a signal before the build started sends 130 at once).
func (sv *buildServer) run(req serverRequest, files []*os.File, sigs chan os.Signal, resized <-chan os.Signal, gone <-chan struct{}, rep *replier) (int, func(int)) {
	dead := &atomic.Bool{}
	var once sync.Once
	exit := func(code int) {
		once.Do(func() {
			// The client's stdout and stderr close before it exits: a
			// pipe it writes to ends with it, not with this build.
			dead.Store(true)
			closeAll(files)
			_ = rep.send(serverReply{Kind: replyExit, Code: code})
		})
	}
	defer closeAll(files)
	if err := rep.send(serverReply{Kind: replyStarted}); err != nil {
		return exitInterrupted, exit
	}
	stdout := &clientOut{f: files[1], dead: dead}
	stderr := &clientOut{f: files[2], dead: dead}
	// The server runs one build at a time: the process's environment and
	// working folder are the client's for its duration.
	os.Clearenv()
	for _, kv := range req.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			os.Setenv(k, v)
		}
	}
	if err := os.Chdir(req.Cwd); err != nil {
		fmt.Fprintf(stderr, "gobuildj: error: working folder: %v\n", err)
		return exitUsage, exit
	}
	gate := newServerGate(sigs, stderr, exit)
	defer gate.Close()
	over := make(chan struct{})
	defer close(over)
	go func() {
		select {
		case <-gone: // the client died: stop its build as a closed terminal would
			select {
			case sigs <- syscall.SIGHUP:
			default:
			}
		case <-over:
		}
	}()
	client := &clientStdio{stdin: files[0], stdout: files[1], stderr: files[2], resized: resized, memo: sv.memo, key: requestKey(req), graph: &sv.graph}
	if sv.stats != nil {
		client.stat = sv.stats.Stat
	}
	code := runFor(req.Args, stdout, stderr, gate, client)
	return code, exit // the files close first: the client's pipes end before it exits
}
