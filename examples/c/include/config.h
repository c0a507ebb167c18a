/* Limits and settings shared by every part of mt. */
#ifndef MT_CONFIG_H
#define MT_CONFIG_H

#define MT_NAME "mt"
#define MT_TOP_WORDS 10     /* how many words `mt freq` prints */
#define MT_HEX_WIDTH 16     /* bytes per line of `mt hex` */
#define MT_MAP_START 64     /* first capacity of a hash map */

#endif
