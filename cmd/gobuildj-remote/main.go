// Command gobuildj-remote is gobuildj's companion for remote caches and
// build farms (the Bazel Remote Execution API over gRPC). gobuildj starts it
// as its worker processes when a build uses --remote-cache or --remote-exec;
// it is not meant to be run by hand. It is a binary of its own because the
// gRPC client and the API's generated code take several milliseconds to
// initialise, which every gobuildj start would pay otherwise.
package main

import (
	"fmt"
	"os"

	"github.com/gobuildj/gobuildj/internal/launch"
	_ "github.com/gobuildj/gobuildj/remote/reapi" // the remote task
	"github.com/gobuildj/gobuildj/sched"
	_ "github.com/gobuildj/gobuildj/worker" // the local task
)

func main() {
	if launch.IsLauncher() {
		// Its local worker runs traced commands through it (package
		// internal/launch).
		launch.Main()
	}
	if sched.IsWorker() {
		sched.WorkerMain()
	}
	fmt.Fprintln(os.Stderr, "gobuildj-remote runs remote jobs for gobuildj, which starts it: use gobuildj --remote-cache URL or --remote-exec URL")
	os.Exit(2)
}
