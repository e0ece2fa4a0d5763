/* Config parser fuzzer: any bytes either fail with a position inside the
 * input or give a tree whose canonical print parses again and prints the
 * same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *print_conf(const struct conf *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		abort();
	conf_print(c, f);
	if (fclose(f) != 0)
		abort();
	return buf;
}

static unsigned count_lines(const uint8_t *data, size_t size)
{
	unsigned n = 1;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c = NULL;
	struct conf_error err;
	char msg[700];

	if (conf_parse((const char *)data, size, "fuzz.conf", &c, &err) < 0) {
		if (c || !err.msg[0])
			abort(); /* a failure always explains itself and returns nothing */
		if (err.line < 1 || err.col < 1 || err.line > count_lines(data, size))
			abort(); /* and points into the input */
		conf_error_format(&err, msg, sizeof(msg));
		return 0;
	}
	if (c->n_warnings > CONF_MAX_WARNINGS)
		abort();

	size_t len1, len2;
	char *text1 = print_conf(c, &len1);
	struct conf *c2 = NULL;
	if (conf_parse(text1, len1, "printed.conf", &c2, &err) < 0) {
		conf_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "printed config does not parse: %s\n%s\n", msg, text1);
		abort();
	}
	char *text2 = print_conf(c2, &len2);
	if (len1 != len2 || memcmp(text1, text2, len1)) {
		fprintf(stderr, "print differs after a round trip:\n%s\n----\n%s\n", text1, text2);
		abort();
	}
	if (c->n_proxies != c2->n_proxies || c->n_ras != c2->n_ras || c->n_relays != c2->n_relays ||
	    !c->mdns != !c2->mdns)
		abort();
	free(text1);
	free(text2);
	conf_free(c2);
	conf_free(c);
	return 0;
}
