package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
)

// buildThroughServer hands the command line args to the build server of
// its Buildfile's folder, if one runs (or --daemon starts one) and can
// build it as this process would, and relays the signals this process gets
// (interrupts) and its terminal's resizes until the build is over. It
// returns the build's exit code and true, or false when this process must
// build by itself: no server, another gobuildj binary or Buildfile, a
// command line the server does not run, a server that died.
func buildThroughServer(args []string, interrupts <-chan os.Signal, stderr io.Writer) (int, bool) {
	if os.Getenv("GOBUILDJ_NO_SERVER") == "1" {
		return 0, false
	}
	buildfile, daemon, ok := serverCandidate(args)
	if !ok {
		return 0, false
	}
	sock := stateOf(buildfile).ServerSocket()
	conn, err := dialServer(sock)
	if errors.Is(err, errNoServer) && daemon {
		if _, err = startServer(buildfile, defaultIdle, ""); err == nil {
			conn, err = dialServer(sock)
		}
	}
	if err != nil {
		if !errors.Is(err, errNoServer) {
			fmt.Fprintf(stderr, "gobuildj: warning: %v; building without a server\n", err)
		}
		return 0, false
	}
	defer conn.Close()
	cwd, err := os.Getwd()
	if err != nil {
		return 0, false
	}
	req := serverRequest{Op: opBuild, Identity: exeIdentity(), Buildfile: buildfile, Args: args, Env: os.Environ(), Cwd: cwd}
	if err := sendRequest(conn, req, os.Stdin, os.Stdout, os.Stderr); err != nil {
		return 0, false
	}
	replies := make(chan serverReply)
	go func() {
		dec := json.NewDecoder(conn)
		for {
			var r serverReply
			if err := dec.Decode(&r); err != nil {
				close(replies)
				return
			}
			replies <- r
		}
	}()
	resized := make(chan os.Signal, 1)
	signal.Notify(resized, syscall.SIGWINCH)
	defer signal.Stop(resized)
	enc := json.NewEncoder(conn)
	started, waited := false, false
	for {
		select {
		case r, ok := <-replies:
			if !ok {
				if started {
					// Its state records never claim more than was built:
					// this build finds what is left to do.
					fmt.Fprintln(stderr, "gobuildj: the server died; building without it")
				}
				return 0, false
			}
			switch r.Kind {
			case replyWait:
				if !waited {
					waited = true
					fmt.Fprintln(stderr, "gobuildj: waiting for another build through the server")
				}
			case replyStarted:
				started = true
			case replyExit:
				return r.Code, true
			case replyRefused:
				return 0, false
			}
		case sig := <-interrupts:
			if !started {
				fmt.Fprintf(stderr, "gobuildj: %v before the build started; stopping\n", sig)
				return exitInterrupted, true
			}
			if s, ok := sig.(syscall.Signal); ok {
				_ = enc.Encode(clientMessage{Kind: msgSignal, Signal: int(s)})
			}
		case <-resized:
			_ = enc.Encode(clientMessage{Kind: msgResize})
		}
	}
}

// serverCandidate says whether the command line args is a build that a
// build server can run as this process would, and of which Buildfile
// (absolute); daemon is set by --daemon or GOBUILDJ_DAEMON=1.
func serverCandidate(args []string) (buildfile string, daemon, ok bool) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "help" || a == "completion" || strings.HasPrefix(a, "__complete") {
			return "", false, false
		}
	}
	root := newRootCommand(io.Discard, io.Discard, nil, nil, args)
	cmd, _, err := root.Find(args)
	if err != nil || cmd != root {
		return "", false, false // a subcommand
	}
	if err := root.ParseFlags(args); err != nil {
		return "", false, false // the build reports it
	}
	fl := root.Flags()
	supported := true
	fl.Visit(func(f *pflag.Flag) {
		switch {
		case strings.HasPrefix(f.Name, "remote"), f.Name == "cpuprofile", f.Name == "memprofile", f.Name == "version":
			supported = false
		case f.Name == "daemon":
			daemon = f.Value.String() == "true"
		}
	})
	// A nested make's jobserver is a pipe this process holds.
	if !supported || strings.Contains(os.Getenv("MAKEFLAGS"), "jobserver") {
		return "", false, false
	}
	daemon = daemon || os.Getenv("GOBUILDJ_DAEMON") == "1"
	f := buildFlags{file: fl.Lookup("file").Value.String(), dir: fl.Lookup("directory").Value.String()}
	buildfile, err = buildfileOf(f)
	if err != nil {
		return "", false, false
	}
	return buildfile, daemon, true
}
