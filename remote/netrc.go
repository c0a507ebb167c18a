package remote

import (
	"fmt"
	"strings"
)

// NetrcLogin is the login and password a netrc file gives for a machine.
type NetrcLogin struct {
	Login, Password string
}

// FindNetrcLogin returns the login a netrc file (its content, as curl, git
// and Go read ~/.netrc) gives for host: the entry of `machine host`, or
// else the `default` entry; ok is false when neither exists or the entry
// has no login. Tokens are separated by white space; a `macdef` is skipped
// up to its blank line. A malformed file is an error naming the token.
func FindNetrcLogin(content, host string) (login NetrcLogin, ok bool, err error) {
	var (
		found, fallback   NetrcLogin
		inHost, inDefault bool
		haveHost, haveDef bool
	)
	lines := strings.Split(content, "\n")
	for i := 0; i < len(lines); i++ {
		words := strings.Fields(lines[i])
		for j := 0; j < len(words); j++ {
			key := words[j]
			value := func() (string, error) {
				if j+1 >= len(words) {
					return "", fmt.Errorf("line %d: %q has no value (expected %s NAME)", i+1, key, key)
				}
				j++
				return words[j], nil
			}
			switch key {
			case "machine":
				name, err := value()
				if err != nil {
					return NetrcLogin{}, false, err
				}
				inHost, inDefault = name == host && !haveHost, false
				haveHost = haveHost || inHost
			case "default":
				inHost, inDefault = false, !haveDef
				haveDef = true
			case "login", "password", "account":
				v, err := value()
				if err != nil {
					return NetrcLogin{}, false, err
				}
				target := &found
				if !inHost {
					if !inDefault {
						continue
					}
					target = &fallback
				}
				switch key {
				case "login":
					target.Login = v
				case "password":
					target.Password = v
				}
			case "macdef":
				// A macro runs to the next blank line; none of it is ours.
				for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
					i++
				}
				j = len(words)
				inHost, inDefault = false, false
			default:
				return NetrcLogin{}, false, fmt.Errorf("line %d: unknown word %q (expected machine, default, login, password, account or macdef)", i+1, key)
			}
		}
	}
	switch {
	case haveHost && found.Login != "":
		return found, true, nil
	case !haveHost && haveDef && fallback.Login != "":
		return fallback, true, nil
	}
	return NetrcLogin{}, false, nil
}
