package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/compdb"
)

const compdbLong = `compdb writes a JSON compilation database (compile_commands.json), which
clangd, clang-tidy and IDEs read to know how each source file is compiled, as
"ninja -t compdb" does. Nothing is built.

With no target named, every target with a command and an input is listed.
A named target is listed itself; an alias (or a rule) stands for the targets
it depends on, looked through as far as aliases go. --deps adds everything
the named targets depend on.

Each entry's "file" is the target's first input that is a source file (.c,
.cc, .cpp, .m, .S, ...; else its first input), "directory" the folder its
command runs in, "command" the command that names the file (else all of
them, joined with &&) and "output" its first output.`

func newCompdbCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	var out string
	var deps bool
	cmd := &cobra.Command{
		Use:   "compdb [flags] [targets...]",
		Short: "Write compile_commands.json for the named targets (default: all)",
		Long:  compdbLong,
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := loadGraph(*f)
			if err != nil {
				return err
			}
			targets, err := compdb.Targets(g, args, deps)
			if err != nil {
				return err
			}
			entries := compdb.Entries(g, targets)
			if out == "-" {
				data, err := compdb.Encode(entries)
				if err != nil {
					return err
				}
				_, err = stdout.Write(data)
				return err
			}
			if out == "" {
				out = compdb.DefaultPath(g)
			}
			if err := compdb.WriteFile(out, entries); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "gobuildj: wrote %d commands to %s\n", len(entries), out)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.StringVarP(&out, "output", "o", "", "write to `FILE` (default: compile_commands.json beside the Buildfile; - for stdout)")
	fl.BoolVar(&deps, "deps", false, "also list every target the named ones depend on")
	return cmd
}
