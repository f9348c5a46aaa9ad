/*
 * fuzz_jwks.c - jwks_parse over a keys file, JWK -> EVP_PKEY included,
 * then every key described and tried on a signature.
 */
#include "fuzz.h"
#include "keytypes.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char	 sig[132] = { 1 };
	struct keyset	*ks;
	struct es_err	 err;
	struct buf	 b = { NULL, 0, 0, 0 };
	char		*in = fuzz_dup(data, size);
	size_t		 i, a;

	memset(&err, 0, sizeof(err));
	if ((ks = jwks_parse(in, size, "jwks.json", JWKS_FULL, &err)) != NULL) {
		jwks_describe(ks, &b);
		for (i = 0; i < ks->n; i++) {
			FUZZ_ASSERT(ks->keys[i].pk != NULL);
			for (a = 0; a < ALG__MAX; a++)
				if (ks->keys[i].algs & (1u << a))
					FUZZ_ASSERT(!jws_verify(&ks->keys[i],
					    (enum alg)a,
					    (const unsigned char *)"x.y", 3,
					    sig, a >= ALG_ES256 ? 64 +
					    (size & 63) : 256));
		}
		jwks_free(ks);
	} else
		FUZZ_ASSERT(err.msg[0] != '\0');
	buf_free(&b);
	free(in);
	return 0;
}
