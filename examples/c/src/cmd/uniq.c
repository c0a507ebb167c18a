#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "io.h"
#include "mt.h"
#include "strutil.h"
#include "vec.h"

int cmd_uniq(int argc, char **argv)
{
	Buf b;
	buf_init(&b);
	if (read_all(argc > 0 ? argv[0] : "-", &b) != 0) {
		return 1;
	}
	Vec lines;
	vec_init(&lines);
	str_split_lines(b.data, &lines);
	for (size_t i = 0; i < lines.len; i++) {
		if (i == 0 || strcmp(lines.items[i], lines.items[i - 1]) != 0) {
			puts(lines.items[i]);
		}
	}
	vec_free(&lines);
	buf_free(&b);
	return 0;
}
