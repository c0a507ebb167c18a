#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "errors.h"
#include "io.h"
#include "mt.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void encode(const unsigned char *p, size_t n)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16;
		if (i + 1 < n) {
			v |= (unsigned long)p[i + 1] << 8;
		}
		if (i + 2 < n) {
			v |= p[i + 2];
		}
		char out[4] = {alphabet[(v >> 18) & 63], alphabet[(v >> 12) & 63],
		               i + 1 < n ? alphabet[(v >> 6) & 63] : '=', i + 2 < n ? alphabet[v & 63] : '='};
		fwrite(out, 1, 4, stdout);
		if ((col += 4) == 76) {
			putchar('\n');
			col = 0;
		}
	}
	if (col > 0 || n == 0) {
		putchar('\n');
	}
}

static int decode(const char *s, size_t n)
{
	unsigned long v = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '=' || c == '\n' || c == '\r' || c == ' ') {
			continue;
		}
		const char *at = strchr(alphabet, c);
		if (at == NULL || c == '\0') {
			mt_warn("b64: invalid character at byte %zu", i + 1);
			return 1;
		}
		v = (v << 6) | (unsigned long)(at - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			putchar((int)((v >> bits) & 0xFF));
		}
	}
	return 0;
}

int cmd_b64(int argc, char **argv)
{
	if (argc < 1 || (strcmp(argv[0], "enc") != 0 && strcmp(argv[0], "dec") != 0)) {
		mt_warn("b64: expected enc or dec");
		return 2;
	}
	Buf b;
	buf_init(&b);
	if (read_all(argc > 1 ? argv[1] : "-", &b) != 0) {
		return 1;
	}
	int status = 0;
	if (argv[0][0] == 'e') {
		encode((const unsigned char *)b.data, b.len);
	} else {
		status = decode(b.data, b.len);
	}
	buf_free(&b);
	return status;
}
