/*
 * bench/checkfloor.c - the floor plus the signature check, for bench/run:
 * bench/hello.c's fixed 302 on the same libfcgi accept loop, after
 * checking one hint's signature each request exactly as endsession does
 * (jws_verify with the key converted and set up once at load).  Nothing
 * else: no query, no JSON, no page.  What a FastCGI request that does the
 * one check costs nginx, the kernel and the child, so that what a longer
 * request costs shows apart from endsession's own work (bench/sigcheck
 * measures the check alone, one thread, hot).
 *
 *   checkfloor JWKS KID RS256|ES256 HINT    (as a FastCGI child, fd 0)
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <fcgiapp.h>

#include "endsession.h"

static const char resp[] =
    "Status: 302 Found\r\n"
    "Location: https://rp.example/signed-out?state=s1\r\n"
    "Cache-Control: no-store\r\n"
    "Content-Length: 0\r\n"
    "\r\n";
static const char bad[] =
    "Status: 400 Bad Request\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

int
main(int argc, char *argv[])
{
	FCGX_Request		 rq;
	struct keyset		*ks;
	struct es_err		 err;
	const struct key	*k;
	const char		*tok, *dot2;
	unsigned char		 sig[512];
	size_t			 sigsz;
	enum alg		 a;

	if (argc != 5 || (strcmp(argv[3], "RS256") != 0 &&
	    strcmp(argv[3], "ES256") != 0)) {
		fprintf(stderr, "usage: checkfloor JWKS KID RS256|ES256 HINT\n");
		return 2;
	}
	a = strcmp(argv[3], "RS256") == 0 ? ALG_RS256 : ALG_ES256;
	if ((ks = jwks_load(argv[1], JWKS_FAST, &err)) == NULL) {
		err_print(&err);
		return 1;
	}
	tok = argv[4];
	if ((k = jwks_pick(ks, argv[2], strlen(argv[2]), a)) == NULL ||
	    (dot2 = strrchr(tok, '.')) == NULL ||
	    !b64url_decode(dot2 + 1, strlen(dot2 + 1), sig, sizeof(sig),
	    &sigsz)) {
		fprintf(stderr, "checkfloor: no key %s or a bad hint\n", argv[2]);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&rq) >= 0) {
		/* A check that fails answers 400: bench/run counts it wrong. */
		if (jws_verify(k, a, (const unsigned char *)tok,
		    (size_t)(dot2 - tok), sig, sigsz))
			FCGX_PutStr(resp, (int)sizeof(resp) - 1, rq.out);
		else
			FCGX_PutStr(bad, (int)sizeof(bad) - 1, rq.out);
		FCGX_Finish_r(&rq);
	}
	FCGX_Free(&rq, 1);
	jwks_free(ks);
	return 0;
}
