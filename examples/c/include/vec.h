/* A growable array of strings (owned by whoever filled it). */
#ifndef MT_VEC_H
#define MT_VEC_H

#include <stddef.h>

typedef struct {
	char **items;
	size_t len;
	size_t cap;
} Vec;

void vec_init(Vec *v);
void vec_free(Vec *v);
void vec_push(Vec *v, char *s);

#endif
