#include <ctype.h>

#include "util.h"

void shout(char *buf, int size, const char *s) {
	int i = 0;
	for (; s[i] != '\0' && i < size - 1; i++) {
		buf[i] = (char)toupper((unsigned char)s[i]);
	}
	buf[i] = '\0';
}
