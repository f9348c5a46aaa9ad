/* HMAC-SHA256 of a token-sized message (9 updates, ~200 bytes), three ways:
 * A keyed EVP_MAC_CTX duplicated per use (src/token.c today), B inner/outer
 * EVP_MD_CTX pre-keyed and copied per use, C the same with SHA256_CTX.
 * Checks each against RFC 4231 test case 2, then prints CPU us per HMAC.
 * A one-off measurement; cc -O2 -o build/hmacpath bench/hmacpath.c -lcrypto */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static EVP_MAC_CTX	*mtmpl;
static EVP_MD_CTX	*din, *dout;
static SHA256_CTX	 sin, sout;

static void
keyit(const unsigned char *k, size_t ksz)
{
	unsigned char	pad[64];
	EVP_MAC		*m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM	p[] = { OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, "SHA256", 0), OSSL_PARAM_construct_end() };
	size_t		i;

	mtmpl = EVP_MAC_CTX_new(m);
	EVP_MAC_init(mtmpl, k, ksz, p);
	memset(pad, 0, 64);
	memcpy(pad, k, ksz);	/* ksz <= 64 here */
	for (i = 0; i < 64; i++)
		pad[i] ^= 0x36;
	din = EVP_MD_CTX_new();
	EVP_DigestInit_ex(din, EVP_sha256(), NULL);
	EVP_DigestUpdate(din, pad, 64);
	SHA256_Init(&sin);
	SHA256_Update(&sin, pad, 64);
	for (i = 0; i < 64; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	dout = EVP_MD_CTX_new();
	EVP_DigestInit_ex(dout, EVP_sha256(), NULL);
	EVP_DigestUpdate(dout, pad, 64);
	SHA256_Init(&sout);
	SHA256_Update(&sout, pad, 64);
}

static void
A(const unsigned char **v, const size_t *vs, int n, unsigned char *out)
{
	EVP_MAC_CTX	*c = EVP_MAC_CTX_dup(mtmpl);
	size_t		 sz;
	int		 i;

	for (i = 0; i < n; i++)
		EVP_MAC_update(c, v[i], vs[i]);
	EVP_MAC_final(c, out, &sz, 32);
	EVP_MAC_CTX_free(c);
}

static void
B(const unsigned char **v, const size_t *vs, int n, unsigned char *out)
{
	EVP_MD_CTX	*c = EVP_MD_CTX_new();
	unsigned char	 ih[32];
	int		 i;

	EVP_MD_CTX_copy_ex(c, din);
	for (i = 0; i < n; i++)
		EVP_DigestUpdate(c, v[i], vs[i]);
	EVP_DigestFinal_ex(c, ih, NULL);
	EVP_MD_CTX_copy_ex(c, dout);
	EVP_DigestUpdate(c, ih, 32);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

static void
C(const unsigned char **v, const size_t *vs, int n, unsigned char *out)
{
	SHA256_CTX	c = sin;
	unsigned char	ih[32];
	int		i;

	for (i = 0; i < n; i++)
		SHA256_Update(&c, v[i], vs[i]);
	SHA256_Final(ih, &c);
	c = sout;
	SHA256_Update(&c, ih, 32);
	SHA256_Final(out, &c);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

typedef void fn(const unsigned char **, const size_t *, int, unsigned char *);

static double
run(fn *f, const unsigned char **v, const size_t *vs, int n, int reps)
{
	unsigned char	out[32];
	double		t = now();
	int		i;

	for (i = 0; i < reps; i++)
		f(v, vs, n, out);
	return (now() - t) / reps;
}

int
main(int argc, char **argv)
{
	/* RFC 4231 4.3, test case 2 */
	static const unsigned char	want[32] = {
	    0x5b,0xdc,0xc1,0x46,0xbf,0x60,0x75,0x4e,0x6a,0x04,0x24,0x26,0x08,
	    0x95,0x75,0xc7,0x5a,0x00,0x3f,0x08,0x9d,0x27,0x39,0x83,0x9d,0xec,
	    0x58,0xb9,0x64,0xec,0x38,0x43 };
	const unsigned char	*tv[2] = { (const unsigned char *)"what do ya want ",
	    (const unsigned char *)"for nothing?" };
	size_t			 tvs[2] = { 16, 12 };
	unsigned char		 blob[200], out[32];
	const unsigned char	*v[9];
	size_t			 vs[9];
	fn			*fs[3] = { A, B, C };
	int			 reps = argc > 1 ? atoi(argv[1]) : 20000, i, r;

	keyit((const unsigned char *)"Jefe", 4);
	for (i = 0; i < 3; i++) {
		fs[i](tv, tvs, 2, out);
		if (memcmp(out, want, 32) != 0) {
			printf("variant %c: wrong HMAC\n", 'A' + i);
			return 1;
		}
	}
	memset(blob, 'x', sizeof(blob));
	for (i = 0; i < 9; i++) {
		v[i] = blob;
		vs[i] = i % 2 ? 8 : 40;
	}
	for (r = 0; r < 5; r++)
		printf("round %d: A mac_dup %.3f  B md_copy %.3f  C sha256 %.3f us\n",
		    r, run(A, v, vs, 9, reps), run(B, v, vs, 9, reps),
		    run(C, v, vs, 9, reps));
	return 0;
}
