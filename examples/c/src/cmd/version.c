#include <stdio.h>

#include "mt.h"
#include "version.h"

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf(MT_NAME " %s\n", mt_version());
	return 0;
}
