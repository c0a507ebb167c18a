#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "hash.h"
#include "hashmap.h"

void map_init(Map *m)
{
	m->cap = MT_MAP_START;
	m->len = 0;
	m->slots = calloc(m->cap, sizeof *m->slots);
	if (m->slots == NULL) {
		mt_die("out of memory");
	}
	arena_init(&m->keys);
}

void map_free(Map *m)
{
	free(m->slots);
	arena_free(&m->keys);
}

static Entry *find(Entry *slots, size_t cap, const char *key, size_t n)
{
	size_t i = fnv1a(key, n) & (cap - 1);
	while (slots[i].key != NULL && (strlen(slots[i].key) != n || memcmp(slots[i].key, key, n) != 0)) {
		i = (i + 1) & (cap - 1);
	}
	return &slots[i];
}

static void grow(Map *m)
{
	size_t cap = 2 * m->cap;
	Entry *slots = calloc(cap, sizeof *slots);
	if (slots == NULL) {
		mt_die("out of memory");
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].key != NULL) {
			*find(slots, cap, m->slots[i].key, strlen(m->slots[i].key)) = m->slots[i];
		}
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

long *map_slot(Map *m, const char *key, size_t n)
{
	if (2 * (m->len + 1) > m->cap) {
		grow(m);
	}
	Entry *e = find(m->slots, m->cap, key, n);
	if (e->key == NULL) {
		e->key = arena_strdup(&m->keys, key, n);
		e->value = 0;
		m->len++;
	}
	return &e->value;
}

size_t map_entries(const Map *m, Entry *out)
{
	size_t n = 0;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].key != NULL) {
			out[n++] = m->slots[i];
		}
	}
	return n;
}
