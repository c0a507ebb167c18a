#ifndef UTIL_H
#define UTIL_H

/* shout copies s into buf in upper case (at most size bytes). */
void shout(char *buf, int size, const char *s);

#endif
