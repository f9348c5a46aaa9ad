/*
 * bench/sigcheck.c - the signature check alone, as endsession does it
 * (jws_verify with the key converted and set up once at load), in CPU
 * microseconds per verify, one thread.  bench/run subtracts it from the
 * endsession column to get what endsession adds beyond the floor and the
 * one check no code around it can avoid.
 *
 *   bench/sigcheck JWKS HINT_RS256 HINT_ES256   prints "RS256 us" and "ES256 us"
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "endsession.h"

static double
cpu_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int
main(int argc, char *argv[])
{
	static const char	*kids[2] = { "rsa1", "ec1" };
	static const enum alg	 algs[2] = { ALG_RS256, ALG_ES256 };
	struct keyset		*ks;
	struct es_err		 err;
	const struct key	*k;
	const char		*tok, *dot2;
	unsigned char		 sig[512];
	size_t			 sigsz;
	double			 t0, best;
	int			 h, i, r, n = 5000, ok;

	if (argc != 4) {
		fprintf(stderr, "usage: sigcheck JWKS HINT_RS256 HINT_ES256\n");
		return 2;
	}
	if ((ks = jwks_load(argv[1], JWKS_FAST, &err)) == NULL) {
		err_print(&err);
		return 1;
	}
	for (h = 0; h < 2; h++) {
		tok = argv[2 + h];
		if ((k = jwks_pick(ks, kids[h], strlen(kids[h]), algs[h])) == NULL ||
		    (dot2 = strrchr(tok, '.')) == NULL ||
		    !b64url_decode(dot2 + 1, strlen(dot2 + 1), sig, sizeof(sig),
		    &sigsz) ||
		    !jws_verify(k, algs[h], (const unsigned char *)tok,
		    (size_t)(dot2 - tok), sig, sigsz)) {
			fprintf(stderr, "sigcheck: %s: no key or a bad hint\n",
			    alg_names[algs[h]]);
			return 1;
		}
		/* The best of 3 runs: the machine is shared. */
		best = 1e18;
		for (r = 0; r < 3; r++) {
			ok = 0;
			t0 = cpu_us();
			for (i = 0; i < n; i++)
				ok += jws_verify(k, algs[h],
				    (const unsigned char *)tok,
				    (size_t)(dot2 - tok), sig, sigsz);
			t0 = (cpu_us() - t0) / n;
			if (ok != n)
				return 1;
			if (t0 < best)
				best = t0;
		}
		printf("%s %.1f\n", alg_names[algs[h]], best);
	}
	jwks_free(ks);
	return 0;
}
