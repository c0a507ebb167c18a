package cache

import (
	"strings"

	"github.com/gobuildj/gobuildj/internal/wire"
)

// The manifest of an action key is everything that went into it, sorted,
// so that `gobuildj why` can name every difference between the last
// successful run and now. A TargetRecord is the manifest of its run: its
// Inputs (with Discovered marking those a depfile named), DepOutputs,
// Tools and EnvInputs carry their hashes; what the key covers of the
// commands is kept as CmdHash and, when short, as CmdText, so that a
// change can be shown as a diff; and the values of the declared
// environment variables that are safe to show are kept in EnvValues.

// MaxKeptCmdText is the most bytes of commands, env entries and dir that a
// record keeps as text (CmdText): the state log is read at the start of
// every build, so a longer command is kept as its hash alone, and `why`
// then says "command changed" without a diff.
const MaxKeptCmdText = 2048

// MaxShownEnvValue is the longest value of a declared environment variable
// (env_inputs) that a record keeps to show.
const MaxShownEnvValue = 80

// CmdText is what the action key covers of a target's commands: the
// commands, the env entries the Buildfile gives them and the folder they
// run in.
type CmdText struct {
	Cmds []string
	Env  []string
	Dir  string
}

// secretWords are parts of environment variable names whose values are
// never kept nor shown.
var secretWords = []string{"TOKEN", "SECRET", "PASS", "KEY", "CREDENTIAL", "AUTH", "PRIVATE", "COOKIE", "SESSION", "CERT", "SIGN"}

// ShowableEnv reports whether the value of the inherited environment
// variable name may be kept in the state and shown by `why`: it must be
// short (MaxShownEnvValue) and its name must not look like a secret's
// (TOKEN, SECRET, PASS, KEY, CREDENTIAL, AUTH, PRIVATE, COOKIE, SESSION,
// CERT or SIGN in any case). Other values are kept as their hash alone.
func ShowableEnv(name, value string) bool {
	if len(value) > MaxShownEnvValue || strings.ContainsAny(value, "\n\r") {
		return false
	}
	up := strings.ToUpper(name)
	for _, w := range secretWords {
		if strings.Contains(up, w) {
			return false
		}
	}
	return true
}

// keptCmdText returns the text of a's commands if it is short enough to
// keep (MaxKeptCmdText), else nil.
func (a *Action) keptCmdText() *CmdText {
	n := len(a.Dir)
	for _, s := range a.Cmds {
		n += len(s)
	}
	for _, s := range a.Env {
		n += len(s)
	}
	if n > MaxKeptCmdText {
		return nil
	}
	return &CmdText{Cmds: cloneStrings(a.Cmds), Env: cloneStrings(a.Env), Dir: a.Dir}
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

// appendManifestExtra appends the optional manifest fields of a record:
// the command text (a flag, then its three parts) and the shown env
// values.
func appendManifestExtra(b []byte, rec *TargetRecord) []byte {
	b = wire.AppendBool(b, rec.CmdText != nil)
	if rec.CmdText != nil {
		b = wire.AppendStrings(b, rec.CmdText.Cmds)
		b = wire.AppendStrings(b, rec.CmdText.Env)
		b = wire.AppendString(b, rec.CmdText.Dir)
	}
	return wire.AppendStrings(b, rec.EnvValues)
}

// hasManifestExtra reports whether rec has optional manifest fields to
// write.
func hasManifestExtra(rec *TargetRecord) bool {
	return rec.CmdText != nil || len(rec.EnvValues) > 0
}

// manifestExtra reads what appendManifestExtra wrote, returned if store
// is set.
func (d *decoder) manifestExtra(store bool) (*CmdText, []string) {
	var text *CmdText
	if d.Byte() != 0 {
		t := CmdText{Cmds: d.strings(store), Env: d.strings(store), Dir: d.Str()}
		if store {
			text = &t
		}
	}
	return text, d.strings(store)
}

// strings reads a list of strings, returned if store is set (nil when
// empty).
func (d *decoder) strings(store bool) []string {
	n := d.Count(1)
	if !store || n == 0 {
		for range n {
			d.Str()
		}
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.Str()
	}
	return out
}
