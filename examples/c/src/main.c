/* mt: a small toolbox of text commands, and an example C project for
   gobuildj (one rule compiles every source, with depfiles). */
#include <stdio.h>
#include <string.h>

#include "mt.h"

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		print_usage();
		return argc < 2 ? 2 : 0;
	}
	const CommandInfo *c = find_command(argv[1]);
	if (c == NULL) {
		fprintf(stderr, MT_NAME ": unknown command \"%s\"\n", argv[1]);
		print_usage();
		return 2;
	}
	return c->run(argc - 2, argv + 2);
}
