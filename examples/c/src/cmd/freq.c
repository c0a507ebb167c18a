#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "errors.h"
#include "hashmap.h"
#include "io.h"
#include "mt.h"
#include "strutil.h"

static int by_count(const void *a, const void *b)
{
	const Entry *x = a, *y = b;
	if (x->value != y->value) {
		return x->value < y->value ? 1 : -1;
	}
	return strcmp(x->key, y->key);
}

int cmd_freq(int argc, char **argv)
{
	Buf b;
	buf_init(&b);
	if (read_all(argc > 0 ? argv[0] : "-", &b) != 0) {
		return 1;
	}
	str_lower(b.data);
	Map m;
	map_init(&m);
	size_t i = 0;
	while (i < b.len) {
		while (i < b.len && !str_is_word_char((unsigned char)b.data[i])) {
			i++;
		}
		size_t start = i;
		while (i < b.len && str_is_word_char((unsigned char)b.data[i])) {
			i++;
		}
		if (i > start) {
			(*map_slot(&m, b.data + start, i - start))++;
		}
	}
	Entry *entries = mt_xmalloc(m.len * sizeof *entries + 1);
	size_t n = map_entries(&m, entries);
	qsort(entries, n, sizeof *entries, by_count);
	for (size_t k = 0; k < n && k < MT_TOP_WORDS; k++) {
		printf("%5ld %s\n", entries[k].value, entries[k].key);
	}
	free(entries);
	map_free(&m);
	buf_free(&b);
	return 0;
}
