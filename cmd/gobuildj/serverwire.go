package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// The build server's protocol, on its unix socket: the client sends one
// serverRequest (a build's also carries the client's stdin, stdout and
// stderr as file descriptors, SCM_RIGHTS), then clientMessages (signals,
// resizes); the server sends serverReplies, ending with "exit" for a
// build. Each message is one JSON value.

// Operations of a serverRequest.
const (
	opBuild  = "build"
	opStatus = "status"
	opStop   = "stop"
)

// serverRequest is the first message of a connection.
type serverRequest struct {
	Op string `json:"op"`
	// Identity names the client's binary (exeIdentity): a server of
	// another gobuildj refuses to build.
	Identity string `json:"identity,omitempty"`
	// Buildfile is the Buildfile the client would read, absolute.
	Buildfile string `json:"buildfile,omitempty"`
	// Args, Env and Cwd are the client's command line (without the
	// program's name), environment and working folder.
	Args []string `json:"args,omitempty"`
	Env  []string `json:"env,omitempty"`
	Cwd  string   `json:"cwd,omitempty"`
}

// Kinds of serverReply.
const (
	replyWait     = "wait"     // another build runs: this one waits
	replyStarted  = "started"  // the build started: signals now go to it
	replyExit     = "exit"     // the build is over: Code is its exit code
	replyRefused  = "refused"  // the server cannot build this: Why says why
	replyStatus   = "status"   // Status answers a status request
	replyStopping = "stopping" // the server stops (Status.PID)
)

// serverReply is a message of the server.
type serverReply struct {
	Kind   string        `json:"kind"`
	Code   int           `json:"code,omitempty"`
	Why    string        `json:"why,omitempty"`
	Status *serverStatus `json:"status,omitempty"`
}

// serverStatus is what gobuildj server status prints.
type serverStatus struct {
	PID       int    `json:"pid"`
	Buildfile string `json:"buildfile"`
	Started   int64  `json:"started"` // Unix nanoseconds
	Builds    int    `json:"builds"`
	Targets   int    `json:"targets"`
	RSS       int64  `json:"rss"`  // bytes
	Anon      int64  `json:"anon"` // of RSS, not file-backed (the heap)
	Idle      string `json:"idle"`
}

// Kinds of clientMessage.
const (
	msgSignal = "signal" // Signal was delivered to the client
	msgResize = "resize" // the client's terminal was resized
)

// clientMessage is a message of the client after its request.
type clientMessage struct {
	Kind   string `json:"kind"`
	Signal int    `json:"signal,omitempty"`
}

// stdioFDs is how many file descriptors a build request carries.
const stdioFDs = 3

// sendRequest writes req on conn, with files passed along.
func sendRequest(conn *net.UnixConn, req serverRequest, files ...*os.File) error {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	var oob []byte
	if len(files) > 0 {
		fds := make([]int, len(files))
		for i, f := range files {
			fds[i] = int(f.Fd())
		}
		oob = unix.UnixRights(fds...)
	}
	n, _, err := conn.WriteMsgUnix(b, oob, nil)
	if err != nil {
		return fmt.Errorf("server: send: %w", err)
	}
	if n < len(b) { // the descriptors went with the first part
		if _, err := conn.Write(b[n:]); err != nil {
			return fmt.Errorf("server: send: %w", err)
		}
	}
	return nil
}

// readRequest reads the request of a connection and the files it carries,
// and returns the decoder of the messages that follow.
func readRequest(conn *net.UnixConn) (serverRequest, []*os.File, *json.Decoder, error) {
	var req serverRequest
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(stdioFDs*4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return req, nil, nil, err
	}
	var files []*os.File
	if oobn > 0 {
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return req, nil, nil, fmt.Errorf("control message: %w", err)
		}
		for _, m := range msgs {
			fds, err := unix.ParseUnixRights(&m)
			if err != nil {
				continue
			}
			for _, fd := range fds {
				unix.CloseOnExec(fd)
				files = append(files, os.NewFile(uintptr(fd), fmt.Sprintf("client fd %d", len(files))))
			}
		}
	}
	dec := json.NewDecoder(io.MultiReader(bytes.NewReader(buf[:n]), conn))
	if err := dec.Decode(&req); err != nil {
		closeAll(files)
		return req, nil, nil, fmt.Errorf("request: %w", err)
	}
	return req, files, dec, nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// replier writes the replies of one connection, from any goroutine.
type replier struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (r *replier) send(rep serverReply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.enc.Encode(rep)
}

// peerUID is the user ID of the process at the other end of conn.
func peerUID(conn *net.UnixConn) (uint32, int32, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return 0, 0, err
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, 0, err
	}
	if credErr != nil {
		return 0, 0, fmt.Errorf("SO_PEERCRED: %w", credErr)
	}
	return cred.Uid, cred.Pid, nil
}

// errNoServer says that no server answers on the socket.
var errNoServer = errors.New("no build server runs")

// checkSocket refuses a socket path that is not a socket of this user: a
// link, a file, another user's socket.
func checkSocket(path string) error {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return errNoServer
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return fmt.Errorf("%s is not a socket (a link or a file): not used", path)
	}
	if st.Uid != uint32(os.Getuid()) {
		return fmt.Errorf("%s belongs to user %d, not to this one: not used", path, st.Uid)
	}
	return nil
}

// dialServer connects to the server listening on the socket at path, if
// it is this user's.
func dialServer(path string) (*net.UnixConn, error) {
	if err := checkSocket(path); err != nil {
		return nil, err
	}
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		if errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.ENOENT) {
			return nil, errNoServer // a server that died left it
		}
		return nil, fmt.Errorf("server: %w", err)
	}
	uid, _, err := peerUID(conn)
	if err != nil || uid != uint32(os.Getuid()) {
		conn.Close()
		return nil, fmt.Errorf("server: %s is served by user %d, not by this one", path, uid)
	}
	return conn, nil
}

// exeIdentity names this binary: a server and a client of the same build
// of gobuildj have the same. It is the device, inode, size and change time
// of the executable, which a rebuild or an upgrade changes, and costs one
// stat.
func exeIdentity() string {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/exe", &st); err != nil {
		return versionLine()
	}
	return fmt.Sprintf("%s %d:%d:%d:%d.%d", versionString(), st.Dev, st.Ino, st.Size, st.Ctim.Sec, st.Ctim.Nsec)
}

// decodeReply reads one reply from r.
func decodeReply(r io.Reader, rep *serverReply) error {
	return json.NewDecoder(r).Decode(rep)
}
