/* The commands of mt: each takes its arguments and returns an exit code. */
#ifndef MT_MT_H
#define MT_MT_H

#include "config.h"

typedef int (*Command)(int argc, char **argv);

typedef struct {
	const char *name;
	const char *usage;
	Command run;
} CommandInfo;

const CommandInfo *find_command(const char *name);
void print_usage(void);

int cmd_wc(int argc, char **argv);
int cmd_freq(int argc, char **argv);
int cmd_b64(int argc, char **argv);
int cmd_crc32(int argc, char **argv);
int cmd_rot13(int argc, char **argv);
int cmd_calc(int argc, char **argv);
int cmd_sort(int argc, char **argv);
int cmd_uniq(int argc, char **argv);
int cmd_hex(int argc, char **argv);
int cmd_rev(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
