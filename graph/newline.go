package graph

import "bytes"

// unixNewlines returns data with each CRLF line ending made LF. A Buildfile
// saved on Windows (or by an editor set to CRLF) would otherwise keep a
// "\r" at the end of each line of a multi-line string: a command of
// several lines would write "out.txt\r" rather than out.txt. A CR byte
// elsewhere is left alone (TOML rejects it outside a multi-line string),
// and lines and columns are unchanged, as the CR ends its line.
func unixNewlines(data []byte) []byte {
	if bytes.IndexByte(data, '\r') < 0 {
		return data
	}
	return bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
}
