package worker

import (
	"os"
	"testing"

	"github.com/gobuildj/gobuildj/internal/launch"
	"github.com/gobuildj/gobuildj/sched"
)

// The test binary is also the worker program (this package registers
// TaskName in its init), and the launcher of traced commands.
func TestMain(m *testing.M) {
	if launch.IsLauncher() {
		launch.Main()
	}
	if sched.IsWorker() {
		sched.WorkerMain()
	}
	os.Exit(m.Run())
}
