#include <stdlib.h>

#include "errors.h"
#include "vec.h"

void vec_init(Vec *v)
{
	v->items = NULL;
	v->len = 0;
	v->cap = 0;
}

void vec_free(Vec *v)
{
	free(v->items);
	vec_init(v);
}

void vec_push(Vec *v, char *s)
{
	if (v->len == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->items = mt_xrealloc(v->items, v->cap * sizeof *v->items);
	}
	v->items[v->len++] = s;
}
