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
// keeps to one row of the terminal. stop ends it.
func followWidth(out *os.File, printer *console.Printer) (stop func()) {
	resized := make(chan os.Signal, 1)
	signal.Notify(resized, syscall.SIGWINCH)
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
		signal.Stop(resized)
		close(done)
		<-exited
	}
}
