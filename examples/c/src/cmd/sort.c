#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "io.h"
#include "mt.h"
#include "strutil.h"
#include "vec.h"

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_sort(int argc, char **argv)
{
	Buf b;
	buf_init(&b);
	if (read_all(argc > 0 ? argv[0] : "-", &b) != 0) {
		return 1;
	}
	Vec lines;
	vec_init(&lines);
	str_split_lines(b.data, &lines);
	qsort(lines.items, lines.len, sizeof *lines.items, by_bytes);
	for (size_t i = 0; i < lines.len; i++) {
		puts(lines.items[i]);
	}
	vec_free(&lines);
	buf_free(&b);
	return 0;
}
