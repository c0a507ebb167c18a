#include <stdio.h>

#include "buf.h"
#include "io.h"
#include "mt.h"
#include "strutil.h"
#include "utf8.h"

static void count(const Buf *b, long n[4])
{
	int in_word = 0;
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c == '\n') {
			n[0]++;
		}
		if (str_is_word_char(c)) {
			if (!in_word) {
				n[1]++;
			}
			in_word = 1;
		} else {
			in_word = 0;
		}
	}
	n[2] += (long)utf8_count(b->data, b->len);
	n[3] += (long)b->len;
}

int cmd_wc(int argc, char **argv)
{
	char *stdin_only[] = {"-"};
	if (argc == 0) {
		argc = 1;
		argv = stdin_only;
	}
	long total[4] = {0};
	int status = 0;
	for (int i = 0; i < argc; i++) {
		Buf b;
		buf_init(&b);
		if (read_all(argv[i], &b) != 0) {
			status = 1;
			buf_free(&b);
			continue;
		}
		long n[4] = {0};
		count(&b, n);
		printf("%7ld %7ld %7ld %7ld %s\n", n[0], n[1], n[2], n[3], argv[i]);
		for (int k = 0; k < 4; k++) {
			total[k] += n[k];
		}
		buf_free(&b);
	}
	if (argc > 1) {
		printf("%7ld %7ld %7ld %7ld total\n", total[0], total[1], total[2], total[3]);
	}
	return status;
}
