package cache

// Leftovers returns the files the last recorded run of target name created
// that the target, as now declared, no longer does: each recorded output
// not among outputs, then the recorded depfile unless it is depfile. Paths
// are as recorded (outputs absolute when the run recorded them so, the
// depfile relative to the store's folder); outputs and depfile may be
// relative to the store's folder or absolute. Recorded says whether there
// is a record of name. When nothing is left over it allocates nothing: a
// build asks it of every target.
func (s *Store) Leftovers(name string, outputs []string, depfile string) (left []string, recorded bool) {
	body, ok := s.targetBody(name)
	if !ok {
		return nil, false
	}
	v, err := viewTarget(body)
	if err != nil { // cannot happen: the load or RecordTarget checked it
		return nil, true
	}
	var set map[string]bool // for many outputs
	if v.outputs*len(outputs) > 1024 {
		set = make(map[string]bool, len(outputs))
		for _, o := range outputs {
			set[s.keyOf(o)] = true
		}
	}
	for i := range v.outputs {
		path, _ := v.next()
		switch {
		case i < len(outputs) && s.keyOf(outputs[i]) == s.keyOf(path): // as declared, in order
		case set != nil && set[s.keyOf(path)]:
		case set == nil && s.declares(outputs, path):
		default:
			left = append(left, path)
		}
	}
	d := v.d
	d.Varint()  // duration
	d.Fixed64() // finished
	if d.Len() != 0 {
		for range d.Count(1) { // discovered inputs
			d.Str()
		}
		if rec := d.Str(); rec != "" && s.keyOf(rec) != s.keyOf(depfile) {
			left = append(left, rec)
		}
	}
	if d.Bad() {
		return nil, true
	}
	return left, true
}

// NumTargets returns how many targets have a record.
func (s *Store) NumTargets() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.targets)
}

// declares reports whether path is one of paths, comparing the keys the
// store keeps them under.
func (s *Store) declares(paths []string, path string) bool {
	key := s.keyOf(path)
	for _, p := range paths {
		if s.keyOf(p) == key {
			return true
		}
	}
	return false
}
