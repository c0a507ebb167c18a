/* Reading input. */
#ifndef MT_IO_H
#define MT_IO_H

#include "buf.h"

/* read_all reads the file path ("-" is stdin) into b; 0 on success. */
int read_all(const char *path, Buf *b);

#endif
