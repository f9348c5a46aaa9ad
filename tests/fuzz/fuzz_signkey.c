/*
 * fuzz_signkey.c - sign_parse over a private signing key (a JWK or a
 * JWK Set: RSA with its CRT members, EC P-256/384/521, Ed25519), without
 * a keys file to match, then every key picked and signing once.
 */
#include "fuzz.h"
#include "keytypes.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct signer		*sg;
	const struct skey	*k;
	struct es_err		 err;
	unsigned char		*sig;
	size_t			 i, sigsz;
	enum alg		 use;
	char			*in = fuzz_dup(data, size);

	memset(&err, 0, sizeof(err));
	if ((sg = sign_parse(in, size, "signing.jwk", NULL, &err)) != NULL) {
		for (i = 0; i < sg->n; i++) {
			FUZZ_ASSERT(sg->keys[i].pk != NULL &&
			    sg->keys[i].algs != 0);
			k = sign_pick(sg, sg->keys[i].kid, ALG__MAX, &use);
			FUZZ_ASSERT(k != NULL || sg->keys[i].kid == NULL);
			if (k != NULL && sign_data(k, use, "x.y", 3, &sig,
			    &sigsz))
				free(sig);
		}
		sign_free(sg);
	} else
		FUZZ_ASSERT(err.msg[0] != '\0');
	free(in);
	return 0;
}
