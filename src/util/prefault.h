/* Make freshly allocated memory resident now, so that the resident size a
 * daemon shows at start-up is the one it keeps under load.
 *
 * memset(p, 0, n) right after malloc or calloc does not do it: compilers
 * turn malloc + memset(0) into calloc and drop a memset after calloc, and
 * glibc's calloc leaves fresh mmapped chunks untouched (they are already
 * zero). A volatile write per page cannot be dropped. */
#ifndef ISLANDD_PREFAULT_H
#define ISLANDD_PREFAULT_H

#include <stddef.h>

static inline void mem_prefault(void *p, size_t len)
{
	volatile unsigned char *b = p;
	for (size_t i = 0; i < len; i += 4096)
		b[i] = 0;
	if (len)
		b[len - 1] = 0;
}

#endif
