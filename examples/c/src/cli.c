/* The table of commands. */
#include <stdio.h>
#include <string.h>

#include "mt.h"
#include "version.h"

static const CommandInfo commands[] = {
	{"wc", "wc [FILE...]          lines, words, characters and bytes", cmd_wc},
	{"freq", "freq [FILE]           the most frequent words", cmd_freq},
	{"b64", "b64 enc|dec [FILE]    base64", cmd_b64},
	{"crc32", "crc32 [FILE...]       CRC-32 checksums", cmd_crc32},
	{"rot13", "rot13 [FILE]          rotate letters by 13", cmd_rot13},
	{"calc", "calc [EXPR...]        evaluate expressions (else one per line of stdin)", cmd_calc},
	{"sort", "sort [FILE]           sort lines", cmd_sort},
	{"uniq", "uniq [FILE]           drop repeated adjacent lines", cmd_uniq},
	{"hex", "hex [FILE]            hex dump", cmd_hex},
	{"rev", "rev [FILE]            reverse the characters of each line", cmd_rev},
	{"version", "version               print the version", cmd_version},
};

const CommandInfo *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(commands[i].name, name) == 0) {
			return &commands[i];
		}
	}
	return NULL;
}

void print_usage(void)
{
	fprintf(stderr, "usage: " MT_NAME " COMMAND [ARGS]  (" MT_NAME " %s)\n", mt_version());
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		fprintf(stderr, "  " MT_NAME " %s\n", commands[i].usage);
	}
}
