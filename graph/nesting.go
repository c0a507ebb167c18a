package graph

// MaxNesting bounds how deep the arrays and inline tables of a Buildfile
// nest (`a = [[[1]]]` is 3 deep, `t = {x = [1]}` is 2). The TOML parser
// takes minutes over a value nested a million deep, so nestingTooDeep
// refuses such a file before the parser sees it.
const MaxNesting = 128

// nestingTooDeep returns the byte offset of the first "[" or "{" that opens
// an array or inline table more than MaxNesting deep in the TOML document
// data, or -1 if there is none. It reads just enough TOML to tell values
// from the rest: comments, the four kinds of strings (whose brackets are
// text) and table headers ([a.b] and [[x]], whose brackets open no value).
// Where data is not valid TOML, the parser reports the first error anyway.
func nestingTooDeep(data []byte) int {
	depth := 0
	lineStart := true // only blanks since the start of the line, outside any value
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			lineStart = depth == 0
			continue
		case ' ', '\t', '\r':
			continue
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
			continue // the newline after a comment is seen next
		case '"', '\'':
			i = skipString(data, i) - 1
		case '[':
			if lineStart {
				i = skipHeader(data, i) - 1
				break
			}
			if depth++; depth > MaxNesting {
				return i
			}
		case '{':
			if depth++; depth > MaxNesting {
				return i
			}
		case ']', '}':
			depth = max(depth-1, 0)
		}
		lineStart = false
	}
	return -1
}

// skipString returns the offset just past the TOML string that starts at
// data[i] (a quote): a basic string ("..."), a literal one (between single
// quotes), or a multi-line one of either kind (between three quotes). A
// single-line string that a newline cuts short ends before the newline; one
// that never ends ends with data.
func skipString(data []byte, i int) int {
	q := data[i]
	basic := q == '"'
	if i+2 < len(data) && data[i+1] == q && data[i+2] == q {
		for j := i + 3; j < len(data); j++ {
			switch {
			case basic && data[j] == '\\':
				j++ // an escape, or a backslash that ends a line
			case data[j] == q && j+2 < len(data) && data[j+1] == q && data[j+2] == q:
				end := j + 3
				// Up to two quotes more belong to the string: """a""""" is `a""`.
				for k := 0; k < 2 && end < len(data) && data[end] == q; k++ {
					end++
				}
				return end
			}
		}
		return len(data)
	}
	for j := i + 1; j < len(data); j++ {
		switch {
		case data[j] == '\n':
			return j
		case basic && data[j] == '\\' && j+1 < len(data) && data[j+1] != '\n':
			j++
		case data[j] == q:
			return j + 1
		}
	}
	return len(data)
}

// skipHeader returns the offset just past the table header ([a."b.c"] or
// [[x]]) that starts at data[i], or that of the newline that cuts it short.
func skipHeader(data []byte, i int) int {
	double := i+1 < len(data) && data[i+1] == '['
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\n':
			return j
		case '"', '\'':
			j = skipString(data, j) - 1
		case ']':
			if double && j+1 < len(data) && data[j+1] == ']' {
				return j + 2
			}
			return j + 1
		}
	}
	return len(data)
}
