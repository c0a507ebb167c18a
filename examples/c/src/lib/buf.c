#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "errors.h"

void buf_init(Buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_free(Buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_reserve(Buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap) {
		return;
	}
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1) {
		cap *= 2;
	}
	b->data = mt_xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_push(Buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
}

void buf_append(Buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

void buf_puts(Buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

const char *buf_cstr(Buf *b)
{
	buf_reserve(b, 0);
	b->data[b->len] = '\0';
	return b->data;
}
