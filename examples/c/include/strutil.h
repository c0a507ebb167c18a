/* Small string helpers. */
#ifndef MT_STRUTIL_H
#define MT_STRUTIL_H

#include <stddef.h>
#include "vec.h"

char *str_dup(const char *s, size_t n);
void str_lower(char *s);
int str_is_word_char(int c);
size_t str_split_lines(char *text, Vec *lines); /* in place: the lines point into text */

#endif
