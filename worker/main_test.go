package worker

import (
	"os"
	"testing"

	"github.com/gobuildj/gobuildj/sched"
)

// The test binary is also the worker program (this package registers
// TaskName in its init).
func TestMain(m *testing.M) {
	if sched.IsWorker() {
		sched.WorkerMain()
	}
	os.Exit(m.Run())
}
