/* islandctl's text view of a JSON reply, as the unit tests check it: the
 * document read with ctl/jread.h and drawn by ctl/render.h into a string
 * (free it). Fails the test when the reply does not read as JSON. */
#ifndef ISLANDD_TEST_RENDER_CHECK_H
#define ISLANDD_TEST_RENDER_CHECK_H

#include "ctl/jread.h"
#include "ctl/render.h"

#include <stdio.h>
#include <stdlib.h>

static inline char *render_text(const char *command, const char *json, size_t len, int *rc)
{
	struct jv *v = jread(json, len, NULL, 0);
	assert_non_null(v);
	char *text = NULL;
	size_t text_len = 0;
	FILE *f = open_memstream(&text, &text_len);
	assert_non_null(f);
	*rc = ctl_render(command, v, f);
	fclose(f);
	jv_free(v);
	return text;
}

#endif
