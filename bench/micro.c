/*
 * bench/micro.c - per-call cost of pieces of the hot path, to size the
 * findings in bench/PROFILE.md.  Links build/libcore.a.
 *
 *   cc -O2 -Isrc $(pkg-config --cflags yajl) bench/micro.c build/libcore.a \
 *     $(pkg-config --libs yajl libcrypto liburiparser libseccomp) -lm -o micro
 *   ./micro DIR HINT_RS256 HINT_ES256      (DIR: lib.sh fixtures)
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include "endsession.h"
#include "keytypes.h"

static double
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);	/* CPU time: the machine is shared */
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

#define TIME(label, n, ...) do {					\
	double t0 = now_us();						\
	for (int i_ = 0; i_ < (n); i_++) { __VA_ARGS__; }			\
	printf("%-58s %8.2f µs\n", label, (now_us() - t0) / (n));	\
} while (0)

/* jws_verify's way: a DigestVerify context set up once per key, copied
 * per call (here without the DER conversion jwks.c does for ECDSA). */
static int
verify_tmpl(EVP_MD_CTX *tmpl, const unsigned char *d, size_t dsz,
    const unsigned char *s, size_t ssz)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = EVP_MD_CTX_copy_ex(c, tmpl) == 1 &&
	    EVP_DigestVerifyUpdate(c, d, dsz) == 1 &&
	    EVP_DigestVerifyFinal(c, s, ssz) == 1;
	EVP_MD_CTX_free(c);
	return ok;
}

int
main(int argc, char *argv[])
{
	char path[1024];
	struct es_err err;
	struct state *st;
	const struct world *w;
	unsigned char sig[512], dummy[64];
	size_t sigsz;
	int n = 20000, ok = 0;

	if (argc < 4)
		return 2;
	snprintf(path, sizeof(path), "%s/endsession.conf", argv[1]);
	setenv("ENDSESSION_SANDBOX", "0", 1);
	if ((st = state_load(path, JWKS_FAST, &err)) == NULL) {
		err_print(&err);
		return 1;
	}
	w = state_world(st);
	for (int h = 2; h <= 3; h++) {
		const char *tok = argv[h], *dot2 = strrchr(tok, '.');
		enum alg a = h == 2 ? ALG_RS256 : ALG_ES256;
		const struct key *k = jwks_key(w->keys, h == 2 ? 0 : 1);
		size_t dsz = (size_t)(dot2 - tok);
		EVP_MD_CTX *tmpl = EVP_MD_CTX_new();
		unsigned char der[160];
		size_t dersz = 0;

		b64url_decode(dot2 + 1, strlen(dot2 + 1), sig, sizeof(sig), &sigsz);
		printf("%s (key %s)\n", alg_names[a], k->kid);
		TIME("  jws_verify (as in src/jwks.c)", n,
		    ok += jws_verify(k, a, (const unsigned char *)tok, dsz, sig, sigsz));
		EVP_DigestVerifyInit(tmpl, NULL, EVP_sha256(), NULL, k->pk);
		if (a == ALG_ES256) {	/* R||S -> DER as ecdsa_der does */
			unsigned char *p = der;
			ECDSA_SIG *es = ECDSA_SIG_new();
			ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
			dersz = (size_t)i2d_ECDSA_SIG(es, &p);
			ECDSA_SIG_free(es);
		}
		TIME("  copy of a per-key initialised context, by hand", n,
		    ok += a == ALG_ES256 ? verify_tmpl(tmpl, (const unsigned char *)tok, dsz, der, dersz)
		    : verify_tmpl(tmpl, (const unsigned char *)tok, dsz, sig, sigsz));
		TIME("  EVP_MD_CTX_new + EVP_DigestVerifyInit + free alone", n, {
			EVP_MD_CTX *c = EVP_MD_CTX_new();
			EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k->pk);
			EVP_MD_CTX_free(c); });
		TIME("  EVP_PKEY_public_check at load (jwks.c, per key)", a == ALG_RS256 ? 200 : 2000, {
			EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, k->pk, NULL);
			ok += EVP_PKEY_public_check(pc);
			EVP_PKEY_CTX_free(pc); });
		TIME("  hint_check (whole)", n / 4, {
			struct arena ar = { NULL };
			struct hint hi;
			struct hint_ctx hc = { w->keys, w->reg, w->conf.issuer,
			    w->conf.clock_skew, w->conf.hint_max_age };
			ok += hint_check(&hc, tok, strlen(tok), time(NULL), &ar, &hi) == HINT_VALID;
			arena_free(&ar); });
		EVP_MD_CTX_free(tmpl);
	}
	{
		struct token_fields f;
		char tok[TOKEN_SZ + 1];
		memset(&f, 0, sizeof(f));
		f.client_id = (struct val){ "demo-rp", 7 };
		f.plru = (struct val){ "https://rp.example/signed-out", 29 };
		f.state = (struct val){ "s1", 2 };
		TIME("token_mint (HMAC-SHA256, keyed once: ipad/opad states copied)", n,
		    ok += token_mint(w->tkey, &f, time(NULL) + 600, tok));
	}
	TIME("state_refresh with nothing changed (4 x stat)", n,
	    ok += state_refresh(st));
	TIME("stat() of one file", n, { struct stat sb; ok += stat(path, &sb); });
	snprintf(path, sizeof(path), "%s/micro-journal.log", argv[1]);
	memset(dummy, 'x', sizeof(dummy));
	TIME("journal: open(O_APPEND|O_CREAT) + write 200 B + close", n, {
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		for (int j = 0; j < 3; j++) ok += write(fd, dummy, sizeof(dummy)) > 0;
		close(fd); });
	{
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		TIME("journal: write 200 B on a kept-open O_APPEND fd", n,
		    for (int j = 0; j < 3; j++) ok += write(fd, dummy, sizeof(dummy)) > 0);
		close(fd);
	}
	unlink(path);
	fprintf(stderr, "(%d)\n", ok);
	state_free(st);
	return 0;
}
