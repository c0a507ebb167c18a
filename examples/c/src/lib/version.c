#include "version.h"

const char *mt_version(void)
{
	return MT_VERSION;
}
