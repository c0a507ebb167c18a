#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "io.h"

int read_all(const char *path, Buf *b)
{
	FILE *f = stdin;
	if (strcmp(path, "-") != 0) {
		f = fopen(path, "rb");
		if (f == NULL) {
			mt_warn("%s: %s", path, strerror(errno));
			return -1;
		}
	}
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_append(b, chunk, n);
	}
	int failed = ferror(f);
	if (f != stdin) {
		fclose(f);
	}
	if (failed) {
		mt_warn("%s: read error", path);
		return -1;
	}
	buf_cstr(b);
	return 0;
}
