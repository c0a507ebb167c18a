#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "errors.h"

enum { BLOCK_SIZE = 16 * 1024 };

struct ArenaBlock {
	ArenaBlock *next;
	size_t used;
	size_t size;
	char data[];
};

void arena_init(Arena *a)
{
	a->head = NULL;
}

void *arena_alloc(Arena *a, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	ArenaBlock *b = a->head;
	if (b == NULL || b->used + size > b->size) {
		size_t want = size > BLOCK_SIZE ? size : BLOCK_SIZE;
		b = mt_xmalloc(sizeof *b + want);
		b->next = a->head;
		b->used = 0;
		b->size = want;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += size;
	return p;
}

char *arena_strdup(Arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void arena_free(Arena *a)
{
	while (a->head != NULL) {
		ArenaBlock *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}
