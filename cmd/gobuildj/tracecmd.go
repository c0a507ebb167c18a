package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/internal/launch"
	"github.com/gobuildj/gobuildj/trace"
)

// exitStatusError makes gobuildj exit with a traced command's own exit
// code, which the command's output already explained.
type exitStatusError struct{ code int }

func (e exitStatusError) Error() string { return fmt.Sprintf("exit status %d", e.code) }
func (e exitStatusError) Unwrap() error { return errReported }

func newTraceCommand(stdout io.Writer) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "trace [-o FILE] -- COMMAND [ARGS...]",
		Short: "Run a command under the file tracer and print what it read, wrote, deleted and probed for",
		Long: `trace runs COMMAND (found in PATH, as a shell would) under gobuildj's file
tracer, with this terminal's standard streams, and then prints one line per
path it touched: "read PATH", "written PATH", "deleted PATH" or
"probed PATH" (a path it looked up that did not exist), sorted within each
kind, paths absolute. Files in /proc, /dev and /sys are left out. It exits
with the command's exit code (128+N for a command killed by signal N).

The report goes to standard output after the command's own output, or to
FILE with -o.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := exec.LookPath(args[0])
			if err != nil {
				return usageError{fmt.Errorf("trace: %w", err)}
			}
			self, err := os.Executable()
			if err != nil {
				return fmt.Errorf("trace: find gobuildj's executable: %w", err)
			}
			out := stdout
			if output != "" {
				f, err := os.Create(output)
				if err != nil {
					return fmt.Errorf("trace: %w", err)
				}
				defer f.Close()
				out = f
			}
			attr := &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{0, 1, 2}}
			var ws syscall.WaitStatus
			var rep *trace.Report
			if trace.CanStartDirect() {
				ws, rep, err = trace.RunDirect(path, args, attr)
			} else {
				ws, rep, err = trace.Run(self, launch.Argv(self, &launch.Spec{Path: path, Argv: args, Trace: true}), attr)
			}
			if err != nil {
				return fmt.Errorf("trace: %w", err)
			}
			if err := printReport(out, rep); err != nil {
				return fmt.Errorf("trace: write report: %w", err)
			}
			switch {
			case ws.Signaled():
				return exitStatusError{128 + int(ws.Signal())}
			case ws.ExitStatus() != 0:
				return exitStatusError{ws.ExitStatus()}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the report to `FILE`")
	// Flags after COMMAND are the command's.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// printReport writes rep one path a line, each with its kind first.
func printReport(w io.Writer, rep *trace.Report) error {
	bw := bufio.NewWriter(w)
	for _, l := range []struct {
		kind  string
		paths []string
	}{{"read", rep.Read}, {"written", rep.Written}, {"deleted", rep.Deleted}, {"probed", rep.Probed}} {
		for _, p := range l.paths {
			fmt.Fprintf(bw, "%s %s\n", l.kind, p)
		}
	}
	return bw.Flush()
}
