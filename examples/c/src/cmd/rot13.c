#include <stdio.h>

#include "buf.h"
#include "io.h"
#include "mt.h"

int cmd_rot13(int argc, char **argv)
{
	Buf b;
	buf_init(&b);
	if (read_all(argc > 0 ? argv[0] : "-", &b) != 0) {
		return 1;
	}
	for (size_t i = 0; i < b.len; i++) {
		char c = b.data[i];
		if (c >= 'a' && c <= 'z') {
			c = (char)('a' + (c - 'a' + 13) % 26);
		} else if (c >= 'A' && c <= 'Z') {
			c = (char)('A' + (c - 'A' + 13) % 26);
		}
		putchar(c);
	}
	buf_free(&b);
	return 0;
}
