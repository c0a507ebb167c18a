/* Reporting errors: every message starts with the program's name. */
#ifndef MT_ERRORS_H
#define MT_ERRORS_H

#include "config.h"

void mt_warn(const char *fmt, ...);
_Noreturn void mt_die(const char *fmt, ...);
void *mt_xmalloc(unsigned long size);
void *mt_xrealloc(void *p, unsigned long size);

#endif
