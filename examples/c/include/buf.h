/* A growable byte buffer. */
#ifndef MT_BUF_H
#define MT_BUF_H

#include <stddef.h>

typedef struct {
	char *data;
	size_t len;
	size_t cap;
} Buf;

void buf_init(Buf *b);
void buf_free(Buf *b);
void buf_reserve(Buf *b, size_t extra);
void buf_push(Buf *b, char c);
void buf_append(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
const char *buf_cstr(Buf *b); /* NUL-terminated view of the contents */

#endif
