#include "hash.h"

/* fnv1a is the 32-bit FNV-1a hash, for the hash map. */
uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}
