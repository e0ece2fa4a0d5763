/* The fixed part of an engine fuzzer's world: quiet logging and the
 * fuzzer's own configuration text parsed (it must parse: abort if not). */
#ifndef ISLANDD_FUZZ_CONF_OF_H
#define ISLANDD_FUZZ_CONF_OF_H

#include "conf/conf.h"
#include "util/log.h"

#include <stdlib.h>

static inline struct conf *fuzz_conf_of(const char *text, size_t len)
{
	struct conf *conf;
	struct conf_error err;
	log_init("fuzz", false, 0);
	if (conf_parse(text, len, "fuzz", &conf, &err) < 0)
		abort();
	return conf;
}

#endif
