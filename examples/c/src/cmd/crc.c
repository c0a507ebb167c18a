#include <inttypes.h>
#include <stdio.h>

#include "buf.h"
#include "hash.h"
#include "io.h"
#include "mt.h"

int cmd_crc32(int argc, char **argv)
{
	char *stdin_only[] = {"-"};
	if (argc == 0) {
		argc = 1;
		argv = stdin_only;
	}
	int status = 0;
	for (int i = 0; i < argc; i++) {
		Buf b;
		buf_init(&b);
		if (read_all(argv[i], &b) != 0) {
			status = 1;
		} else {
			printf("%08" PRIx32 "  %s\n", crc32((const unsigned char *)b.data, b.len), argv[i]);
		}
		buf_free(&b);
	}
	return status;
}
