/* islandctl's text tables, rendered from the daemon's JSON replies. */
#ifndef ISLANDD_RENDER_H
#define ISLANDD_RENDER_H

#include "ctl/jread.h"

#include <stdio.h>

/* Writes the text for command's reply doc to out. Returns 0, or 1 when
 * the reply is an error ({"error":...}: written to out as "error: ..."). */
int ctl_render(const char *command, const struct jv *doc, FILE *out);

#endif
