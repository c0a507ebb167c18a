#!/bin/sh
# Runs mt (the binary named by $1) on known inputs and checks what it
# prints; exits 1 if anything differs.
set -u
mt=$1
failed=0

# check NAME WANT SCRIPT: runs SCRIPT (with $mt set) and compares its output.
check() {
	got=$(mt=$mt sh -c "$3" 2>&1)
	if [ "$got" = "$2" ]; then
		echo "ok   $1"
	else
		printf 'FAIL %s\n  got:  %s\n  want: %s\n' "$1" "$got" "$2"
		failed=1
	fi
}

check version   "mt 1.2.0"          '$mt version'
check calc      "97"                '$mt calc "2*(3+4)^2 - 1"'
check calc-neg  "-8"                '$mt calc "-2^3"'
check calc-err  "mt: calc: 1/0: column 4: division by zero" '$mt calc 1/0'
check calc-repl "3
10"                                 'printf "1+2\n\n2*5\nq\n7\n" | $mt calc'
check wc        "      2       3      18      18 -" 'printf "hello world\nhello\n" | $mt wc'
check freq      "    3 the
    2 a
    1 cat"                          'printf "The cat, the a the A" | $mt freq'
check b64       "aGVsbG8sIHdvcmxk"  'printf "hello, world" | $mt b64 enc'
check b64-trip  "hello, world"      'printf "hello, world" | $mt b64 enc | $mt b64 dec'
check crc32     "cbf43926  -"       'printf 123456789 | $mt crc32'
check rot13     "uryyb"             'printf hello | $mt rot13'
check sort-uniq "a
b
c"                                  'printf "c\nb\na\nb\n" | $mt sort | $mt uniq'
check rev       "olléh"             'echo héllo | $mt rev'
check hex       "00000000  68 69 0a                                         |hi.|" 'echo hi | $mt hex'
check unknown   "2"                 '$mt nope 2>/dev/null; echo $?'

exit $failed
