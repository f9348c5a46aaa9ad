/*
 * fuzz_clients.c - clients_parse over a client registrations file, then
 * every client looked up again and every URI matched.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct registry		*reg;
	struct es_err		 err;
	const struct client	*c;
	char			*in = fuzz_dup(data, size);
	size_t			 i, k;

	memset(&err, 0, sizeof(err));
	if ((reg = clients_parse(in, size, "clients.json", &err)) != NULL) {
		for (i = 0; i < clients_count(reg); i++) {
			c = clients_at(reg, i);
			FUZZ_ASSERT(clients_find(reg, c->id, c->idsz) == c);
			for (k = 0; k < c->urisz; k++) {
				FUZZ_ASSERT(client_redir(c, c->uris[k].uri,
				    c->uris[k].sz) != NULL);
				FUZZ_ASSERT(c->uris[k].csp != NULL);
			}
		}
		clients_find(reg, in, size);
		clients_free(reg);
	} else
		FUZZ_ASSERT(err.msg[0] != '\0');
	free(in);
	return 0;
}
