/* Hash functions. */
#ifndef MT_HASH_H
#define MT_HASH_H

#include <stddef.h>
#include <stdint.h>

uint32_t fnv1a(const char *s, size_t n);
uint32_t crc32(const unsigned char *p, size_t n);

#endif
