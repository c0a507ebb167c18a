#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "errors.h"

void mt_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(MT_NAME ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

_Noreturn void mt_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(MT_NAME ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

void *mt_xmalloc(unsigned long size)
{
	void *p = malloc(size ? size : 1);
	if (p == NULL) {
		mt_die("out of memory");
	}
	return p;
}

void *mt_xrealloc(void *p, unsigned long size)
{
	p = realloc(p, size ? size : 1);
	if (p == NULL) {
		mt_die("out of memory");
	}
	return p;
}
