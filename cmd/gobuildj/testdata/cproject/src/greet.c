#include <stdio.h>

#include "greet.h"
#include "util.h"

void greet(char *buf, int size, const char *name) {
	char loud[64];
	shout(loud, sizeof loud, name);
	snprintf(buf, size, "hello, %s!", loud);
}
