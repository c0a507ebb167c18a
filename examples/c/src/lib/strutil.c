#include <ctype.h>
#include <string.h>

#include "errors.h"
#include "strutil.h"

char *str_dup(const char *s, size_t n)
{
	char *p = mt_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void str_lower(char *s)
{
	for (; *s; s++) {
		*s = (char)tolower((unsigned char)*s);
	}
}

int str_is_word_char(int c)
{
	return isalnum(c) || c == '\'' || c >= 0x80;
}

size_t str_split_lines(char *text, Vec *lines)
{
	char *start = text;
	for (char *p = text; *p; p++) {
		if (*p == '\n') {
			*p = '\0';
			vec_push(lines, start);
			start = p + 1;
		}
	}
	if (*start) {
		vec_push(lines, start);
	}
	return lines->len;
}
