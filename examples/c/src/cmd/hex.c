#include <stdio.h>

#include "buf.h"
#include "config.h"
#include "io.h"
#include "mt.h"

int cmd_hex(int argc, char **argv)
{
	Buf b;
	buf_init(&b);
	if (read_all(argc > 0 ? argv[0] : "-", &b) != 0) {
		return 1;
	}
	const unsigned char *p = (const unsigned char *)b.data;
	for (size_t off = 0; off < b.len; off += MT_HEX_WIDTH) {
		printf("%08zx ", off);
		for (size_t i = 0; i < MT_HEX_WIDTH; i++) {
			if (off + i < b.len) {
				printf(" %02x", p[off + i]);
			} else {
				printf("   ");
			}
		}
		printf("  |");
		for (size_t i = 0; i < MT_HEX_WIDTH && off + i < b.len; i++) {
			unsigned char c = p[off + i];
			putchar(c >= 0x20 && c < 0x7f ? c : '.');
		}
		printf("|\n");
	}
	buf_free(&b);
	return 0;
}
