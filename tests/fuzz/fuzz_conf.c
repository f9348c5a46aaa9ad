/*
 * fuzz_conf.c - conf_parse over a configuration file.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	 c;
	struct es_err	 err;
	char		*in = fuzz_dup(data, size);

	memset(&err, 0, sizeof(err));
	if (conf_parse(in, size, "/etc/endsession/endsession.conf", &c,
	    &err)) {
		FUZZ_ASSERT(c.issuer != NULL && c.clients != NULL &&
		    c.jwks != NULL && c.secret != NULL &&
		    c.templates != NULL && c.cookie_path != NULL);
		conf_free(&c);
	} else
		FUZZ_ASSERT(err.msg[0] != '\0');
	free(in);
	return 0;
}
