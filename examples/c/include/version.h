#ifndef MT_VERSION_H
#define MT_VERSION_H

#define MT_VERSION "1.2.0"

const char *mt_version(void);

#endif
