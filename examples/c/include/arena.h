/* An arena: many small allocations freed at once. */
#ifndef MT_ARENA_H
#define MT_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;

typedef struct {
	ArenaBlock *head;
} Arena;

void arena_init(Arena *a);
void *arena_alloc(Arena *a, size_t size);
char *arena_strdup(Arena *a, const char *s, size_t n);
void arena_free(Arena *a);

#endif
