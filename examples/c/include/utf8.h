/* UTF-8. */
#ifndef MT_UTF8_H
#define MT_UTF8_H

#include <stddef.h>

/* utf8_decode reads one code point at s (n bytes available), storing it in
   *cp; it returns the bytes used (1 for an invalid byte, read as U+FFFD). */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned long *cp);
size_t utf8_count(const char *s, size_t n);

#endif
