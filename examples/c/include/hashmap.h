/* A map from strings to counts, with open addressing. */
#ifndef MT_HASHMAP_H
#define MT_HASHMAP_H

#include <stddef.h>
#include "arena.h"
#include "config.h"

typedef struct {
	const char *key;
	long value;
} Entry;

typedef struct {
	Entry *slots;
	size_t cap;
	size_t len;
	Arena keys;
} Map;

void map_init(Map *m);
void map_free(Map *m);
long *map_slot(Map *m, const char *key, size_t n); /* the value of key, created as 0 */
size_t map_entries(const Map *m, Entry *out);      /* copies the entries into out */

#endif
