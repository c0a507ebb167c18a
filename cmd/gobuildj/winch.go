package main

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/gobuildj/gobuildj/console"
)

// followWidth reads the width of the terminal out again on each SIGWINCH
// (a resized window) and gives it to printer, so that the live status line
// keeps to one row of the terminal. A build server's client says when its
// window was resized on from instead (nil: this process's SIGWINCH).
// stop ends it.
func followWidth(out fdWriter, printer *console.Printer, from <-chan os.Signal) (stop func()) {
	resized := from
	unnotify := func() {}
	if from == nil {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGWINCH)
		resized, unnotify = c, func() { signal.Stop(c) }
	}
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		// Once at once: a resize between the first reading of the width
		// and Notify would be missed.
		for {
			if w, _, err := term.GetSize(int(out.Fd())); err == nil {
				printer.SetWidth(w)
			}
			select {
			case <-done:
				return
			case <-resized:
			}
		}
	}()
	return func() {
		unnotify()
		close(done)
		<-exited
	}
}
