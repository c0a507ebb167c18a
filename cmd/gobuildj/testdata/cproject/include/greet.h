#ifndef GREET_H
#define GREET_H

/* greet writes a greeting for name into buf (at most size bytes). */
void greet(char *buf, int size, const char *name);

#endif
