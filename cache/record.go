package cache

import (
	"errors"
	"fmt"
	"time"

	"github.com/gobuildj/gobuildj/internal/wire"
)

// TargetRecord is what is kept of a target's last successful run. Key and
// Outputs decide whether the target may be skipped; CmdHash, Inputs and
// DepOutputs only serve to explain, in words, why it may not.
type TargetRecord struct {
	Name     string
	Key      Hash // the action key of the run (Action.Key)
	CmdHash  Hash // Action.CmdHash: commands, env and dir alone
	DepsHash Hash // Action.DepsHash: the deps' outputs alone
	// Inputs are the input paths and content hashes of the run, sorted by
	// path, to name the input that changed.
	Inputs []PathHash
	// DepOutputs are the deps' outputs of the run, in dep order, to name the
	// dep output that changed. Optional: without them a change is reported
	// without a name.
	DepOutputs []PathHash
	// Outputs are the declared outputs with the state recorded after the
	// run, in declaration order.
	Outputs  []PathState
	Duration time.Duration
	Finished time.Time
	// Discovered are the inputs the run's depfile named (relative to the
	// store's folder when inside it), sorted: the next build hashes them
	// into its action's Inputs. They are also in Inputs, with their hashes.
	Discovered []string
	// Depfile is the depfile the run wrote, "" if none: what the run
	// created beside its outputs (clean removes it too).
	Depfile string
	// Tools are the tools of the run (Action.Tools), each by the file it
	// resolved to and its content hash, to name the tool that changed.
	Tools []PathHash
	// EnvInputs are the declared environment variables of the run
	// (Action.EnvInputs): names and hashes of their values.
	EnvInputs []PathHash
	// CmdText is the text of the run's commands, env entries and dir, nil
	// when longer than MaxKeptCmdText: `why` shows a change as a diff.
	CmdText *CmdText
	// EnvValues are "NAME=value" for the declared environment variables
	// of the run whose values may be shown (ShowableEnv), sorted by name.
	EnvValues []string
	// Traced are the undeclared files a traced run read (relative to the
	// store's folder), sorted: as Discovered for a depfile, the next build
	// hashes them into its action's Inputs, where they also are.
	Traced []string
	// Probed are the paths a traced run looked for and did not find,
	// sorted: they are in Inputs with AbsentHash, and a file created at
	// one of them changes the next action's key.
	Probed []string
}

// PathHash is a file and the hash of its content.
type PathHash struct {
	Path string
	Hash Hash
}

// PathState is a file and its recorded state.
type PathState struct {
	Path  string
	State FileState
}

// Record kinds: the first byte of every record body.
const (
	kindTarget    byte = 1 // a TargetRecord: the target's last good run
	kindTombstone byte = 2 // a target name: forget its last run
	kindFile      byte = 3 // a path and its FileState
	// kindFailure (4) is a failure record: see failure.go.
)

// entry is what a load keeps of one record.
type entry struct {
	kind    byte
	name    string    // the target (kindTarget, kindTombstone, kindFailure) or the path (kindFile)
	file    FileState // kindFile
	failure Failure   // kindFailure
}

// appendTargetBody appends the body of a target record to b.
func appendTargetBody(b []byte, rec *TargetRecord) []byte {
	b = append(b, kindTarget)
	b = wire.AppendString(b, rec.Name)
	b = append(b, rec.Key[:]...)
	b = append(b, rec.CmdHash[:]...)
	b = append(b, rec.DepsHash[:]...)
	b = appendPathHashes(b, rec.Inputs)
	b = appendPathHashes(b, rec.DepOutputs)
	b = wire.AppendUvarint(b, uint64(len(rec.Outputs)))
	for _, o := range rec.Outputs {
		b = wire.AppendString(b, o.Path)
		b = appendFileState(b, &o.State)
	}
	b = wire.AppendVarint(b, int64(rec.Duration))
	var finished int64 // 0 stands for the zero Time
	if !rec.Finished.IsZero() {
		finished = rec.Finished.UnixNano()
	}
	b = wire.AppendFixed64(b, uint64(finished))
	// Optional trailing fields: a record without them (written before they
	// existed, or by a target without a depfile) reads as having none.
	traced := len(rec.Traced) > 0 || len(rec.Probed) > 0
	extra := hasManifestExtra(rec) || traced
	tools := len(rec.Tools) > 0 || len(rec.EnvInputs) > 0 || extra
	if len(rec.Discovered) > 0 || rec.Depfile != "" || tools {
		b = wire.AppendStrings(b, rec.Discovered)
		b = wire.AppendString(b, rec.Depfile)
	}
	if tools {
		b = appendPathHashes(b, rec.Tools)
		b = appendPathHashes(b, rec.EnvInputs)
	}
	if extra {
		b = appendManifestExtra(b, rec)
	}
	if traced {
		b = wire.AppendStrings(b, rec.Traced)
		b = wire.AppendStrings(b, rec.Probed)
	}
	return b
}

// appendTombstoneBody appends the body of a tombstone for target name.
func appendTombstoneBody(b []byte, name string) []byte {
	b = append(b, kindTombstone)
	return wire.AppendString(b, name)
}

// appendFileBody appends the body of a file record.
func appendFileBody(b []byte, path string, st *FileState) []byte {
	b = append(b, kindFile)
	b = wire.AppendString(b, path)
	return appendFileState(b, st)
}

func appendPathHashes(b []byte, phs []PathHash) []byte {
	b = wire.AppendUvarint(b, uint64(len(phs)))
	for _, ph := range phs {
		b = wire.AppendString(b, ph.Path)
		b = append(b, ph.Hash[:]...)
	}
	return b
}

func appendFileState(b []byte, st *FileState) []byte {
	b = wire.AppendVarint(b, st.Size)
	// Nanosecond times take 9 bytes as varints: fixed 8 are smaller.
	b = wire.AppendFixed64(b, uint64(st.MtimeNs))
	b = wire.AppendFixed64(b, uint64(st.CtimeNs))
	b = wire.AppendUvarint(b, st.Inode)
	b = append(b, st.Hash[:]...)
	var flags byte
	if st.Racy {
		flags |= 1
	}
	return append(b, flags)
}

// errBadRecord is a record whose checksum is right but whose body does not
// decode: written by a buggy or different gobuildj.
var errBadRecord = errors.New("record does not decode")

// readEntry checks a record body and returns what a load keeps of it. A
// target record is checked field by field but kept as its body, which
// decodeTarget decodes when the target is asked for: a load then writes one
// pointer per target instead of a dozen, which matters to the start of a
// no-op build. Strings share the memory of body.
func readEntry(body string) (entry, error) {
	d := newDecoder(body)
	e := entry{kind: d.Byte()}
	switch e.kind {
	case kindTarget:
		e.name = d.Str()
		d.targetFields(nil)
	case kindTombstone:
		e.name = d.Str()
	case kindFile:
		e.name = d.Str()
		d.fileState(&e.file)
	case kindFailure:
		e.name = d.Str()
		e.failure = d.failure()
	default:
		return entry{}, fmt.Errorf("%w: unknown kind %d", errBadRecord, e.kind)
	}
	return e, d.err(e.kind)
}

// decodeTarget decodes the body of a target record. Its strings share the
// memory of body; its slices are its own.
func decodeTarget(body string) (TargetRecord, error) {
	d := newDecoder(body)
	var r TargetRecord
	if kind := d.Byte(); kind != kindTarget {
		return r, fmt.Errorf("%w: kind %d is not a target", errBadRecord, kind)
	}
	r.Name = d.Str()
	d.targetFields(&r)
	return r, d.err(kindTarget)
}

// minOutputSize is the fewest bytes an output of a target record takes.
const minOutputSize = 1 + 1 + 8 + 8 + 1 + 16 + 1

// targetFields reads the fields of a target record after its name into r,
// or only checks them if r is nil.
func (d *decoder) targetFields(r *TargetRecord) {
	store := r != nil
	key, cmd, deps := d.hash(), d.hash(), d.hash()
	inputs := d.pathHashes(store)
	depOutputs := d.pathHashes(store)
	n := d.Count(minOutputSize)
	var outputs []PathState
	if store && n > 0 {
		outputs = make([]PathState, n)
	}
	for i := range n {
		path := d.Str()
		var st FileState
		d.fileState(&st)
		if store {
			outputs[i] = PathState{Path: path, State: st}
		}
	}
	duration := time.Duration(d.Varint())
	finished := int64(d.Fixed64())
	var discovered []string
	var depfile string
	var tools, env []PathHash
	var cmdText *CmdText
	var envValues, traced, probed []string
	if d.Len() != 0 {
		n := d.Count(1)
		if store && n > 0 {
			discovered = make([]string, n)
		}
		for i := range n {
			p := d.Str()
			if store {
				discovered[i] = p
			}
		}
		depfile = d.Str()
	}
	if d.Len() != 0 {
		tools = d.pathHashes(store)
		env = d.pathHashes(store)
	}
	if d.Len() != 0 {
		cmdText, envValues = d.manifestExtra(store)
	}
	if d.Len() != 0 {
		traced, probed = d.strings(store), d.strings(store)
	}
	if store {
		r.Key, r.CmdHash, r.DepsHash = key, cmd, deps
		r.Inputs, r.DepOutputs, r.Outputs = inputs, depOutputs, outputs
		r.Duration = duration
		if finished != 0 {
			r.Finished = time.Unix(0, finished)
		}
		r.Discovered, r.Depfile = discovered, depfile
		r.Tools, r.EnvInputs = tools, env
		r.CmdText, r.EnvValues = cmdText, envValues
		r.Traced, r.Probed = traced, probed
	}
}

// targetView is what Check reads of a target record, without allocating:
// its key, and its outputs one by one.
type targetView struct {
	key     Hash
	outputs int     // number of outputs
	d       decoder // positioned at the next output
}

// viewTarget reads the key of a target record body and positions the view
// at its first output. The body must have passed readEntry.
func viewTarget(body string) (targetView, error) {
	d := newDecoder(body)
	d.Byte()
	d.Str()
	v := targetView{key: d.hash()}
	d.hash()
	d.hash()
	d.pathHashes(false)
	d.pathHashes(false)
	v.outputs = d.Count(minOutputSize)
	v.d = d
	if d.Bad() {
		return v, d.err(kindTarget)
	}
	return v, nil
}

// next reads the next output of the view.
func (v *targetView) next() (path string, st FileState) {
	path = v.d.Str()
	v.d.fileState(&st)
	return path, st
}

// decoder reads the fields of a record body. The first failure makes it
// bad and every later read return zero values, so callers check once at
// the end.
type decoder struct {
	wire.Reader
}

func newDecoder(body string) decoder { return decoder{wire.NewReader(body)} }

// err tells why the body of a record of kind did not decode, or nil if it
// did, all of it.
func (d *decoder) err(kind byte) error {
	if d.Bad() {
		return fmt.Errorf("%w: kind %d is cut short", errBadRecord, kind)
	}
	if d.Len() != 0 {
		return fmt.Errorf("%w: kind %d has %d extra bytes", errBadRecord, kind, d.Len())
	}
	return nil
}

func (d *decoder) hash() Hash {
	var h Hash
	copy(h[:], d.Take(uint64(len(h))))
	return h
}

// pathHashes reads a list of paths and hashes, returned if store is set.
func (d *decoder) pathHashes(store bool) []PathHash {
	n := d.Count(1 + 16)
	if !store || n == 0 {
		for range n {
			d.Str()
			d.hash()
		}
		return nil
	}
	phs := make([]PathHash, n)
	for i := range phs {
		phs[i].Path = d.Str()
		phs[i].Hash = d.hash()
	}
	return phs
}

func (d *decoder) fileState(st *FileState) {
	st.Size = d.Varint()
	st.MtimeNs = int64(d.Fixed64())
	st.CtimeNs = int64(d.Fixed64())
	st.Inode = d.Uvarint()
	st.Hash = d.hash()
	flags := d.Byte()
	if flags&^1 != 0 {
		d.Fail()
	}
	st.Racy = flags&1 != 0
}

// viewDuration reads the duration of a target record body without
// decoding the rest. The body must have passed readEntry.
func viewDuration(body string) (time.Duration, bool) {
	v, err := viewTarget(body)
	if err != nil {
		return 0, false
	}
	for range v.outputs {
		v.next()
	}
	d := time.Duration(v.d.Varint())
	return d, !v.d.Bad()
}
