package remote

import "testing"

func TestFindNetrcLogin(t *testing.T) {
	const netrc = `machine other.example login o password op
machine cache.example
  login alice
  password s3cret
macdef init
  cd /pub
  machine cache.example login mallory password m

default login anon password anonpw
`
	for _, c := range []struct {
		content, host string
		want          NetrcLogin
		ok            bool
	}{
		{netrc, "cache.example", NetrcLogin{"alice", "s3cret"}, true},
		{netrc, "other.example", NetrcLogin{"o", "op"}, true},
		{netrc, "elsewhere.example", NetrcLogin{"anon", "anonpw"}, true},
		{"machine a login x password y\n", "b", NetrcLogin{}, false},
		{"machine a password y\n", "a", NetrcLogin{}, false},
		{"", "a", NetrcLogin{}, false},
		// The first entry of a machine wins, as curl reads it.
		{"machine a login first password 1\nmachine a login second password 2\n", "a", NetrcLogin{"first", "1"}, true},
	} {
		got, ok, err := FindNetrcLogin(c.content, c.host)
		if err != nil || ok != c.ok || got != c.want {
			t.Errorf("FindNetrcLogin(%q, %q) = %+v, %v, %v; want %+v, %v", c.content, c.host, got, ok, err, c.want, c.ok)
		}
	}
	for _, bad := range []string{"machine\n", "machine a login\n", "machine a lgin x\n"} {
		if _, _, err := FindNetrcLogin(bad, "a"); err == nil {
			t.Errorf("FindNetrcLogin(%q) gave no error", bad)
		}
	}
}
