#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "calc.h"
#include "errors.h"
#include "mt.h"

static int eval_print(const char *src)
{
	double v;
	char err[128];
	if (!calc_eval(src, &v, err, sizeof err)) {
		mt_warn("calc: %s: %s", src, err);
		return 1;
	}
	printf("%.10g\n", v);
	return 0;
}

int cmd_calc(int argc, char **argv)
{
	int status = 0;
	if (argc > 0) {
		for (int i = 0; i < argc; i++) {
			status |= eval_print(argv[i]);
		}
		return status;
	}
	/* One expression per line of stdin: an interactive calculator. */
	char line[1024];
	while (fgets(line, sizeof line, stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0') {
			continue;
		}
		if (strcmp(line, "q") == 0 || strcmp(line, "quit") == 0) {
			break;
		}
		status |= eval_print(line);
		fflush(stdout);
	}
	return status;
}
