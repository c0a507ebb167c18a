#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "io.h"
#include "mt.h"
#include "strutil.h"
#include "utf8.h"
#include "vec.h"

/* rev_line prints line with its characters (UTF-8 code points) reversed. */
static void rev_line(const char *line)
{
	size_t n = strlen(line);
	size_t starts[1024];
	size_t count = 0;
	const unsigned char *p = (const unsigned char *)line;
	for (size_t i = 0; i < n && count < sizeof starts / sizeof starts[0];) {
		unsigned long cp;
		starts[count++] = i;
		i += utf8_decode(p + i, n - i, &cp);
	}
	for (size_t k = count; k-- > 0;) {
		size_t end = k + 1 < count ? starts[k + 1] : n;
		fwrite(line + starts[k], 1, end - starts[k], stdout);
	}
	putchar('\n');
}

int cmd_rev(int argc, char **argv)
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
		rev_line(lines.items[i]);
	}
	vec_free(&lines);
	buf_free(&b);
	return 0;
}
