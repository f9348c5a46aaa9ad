/* Does an EC key built from a JWK (EVP_PKEY_fromdata, group name) verify as
 * fast as one made by EVP_EC_gen (the curve's NID)?  Prints CPU us per
 * verify.  A one-off measurement: errors are not checked, beyond a failed
 * verify printing -1.  cc -O2 -o build/ecpath bench/ecpath.c -lcrypto */
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double
run(EVP_PKEY *pk, const unsigned char *sig, size_t sigsz, int n)
{
	static const unsigned char	msg[] = "header.payload";
	double				t = now();
	int				i;

	for (i = 0; i < n; i++) {
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		if (EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, pk) != 1 ||
		    EVP_DigestVerify(c, sig, sigsz, msg, sizeof(msg)) != 1)
			return -1;
		EVP_MD_CTX_free(c);
	}
	return (now() - t) / n;
}

/* EVP_PKEY_verify with a context made once and a one-shot digest */
static double
run2(EVP_PKEY *pk, const unsigned char *sig, size_t sigsz, int n)
{
	static const unsigned char	msg[] = "header.payload";
	unsigned char			md[32];
	EVP_PKEY_CTX			*pc = EVP_PKEY_CTX_new(pk, NULL);
	double				t;
	int				i;

	if (EVP_PKEY_verify_init(pc) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) != 1)
		return -1;
	t = now();
	for (i = 0; i < n; i++)
		if (EVP_Digest(msg, sizeof(msg), md, NULL, EVP_sha256(),
		    NULL) != 1 || EVP_PKEY_verify(pc, sig, sigsz, md, 32) != 1)
			return -1;
	t = (now() - t) / n;
	EVP_PKEY_CTX_free(pc);
	return t;
}

int
main(int argc, char **argv)
{
	static const unsigned char	msg[] = "header.payload";
	unsigned char			sig[128], pub[65];
	size_t				sigsz = sizeof(sig), pubsz;
	EVP_PKEY			*gen, *fd = NULL;
	EVP_PKEY_CTX			*pc;
	EVP_MD_CTX			*c = EVP_MD_CTX_new();
	OSSL_PARAM_BLD			*b = OSSL_PARAM_BLD_new();
	OSSL_PARAM			*p;
	int				n = argc > 1 ? atoi(argv[1]) : 200, r;

	gen = EVP_EC_gen("P-256");
	EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, gen);
	EVP_DigestSign(c, sig, &sigsz, msg, sizeof(msg));
	EVP_PKEY_get_octet_string_param(gen, OSSL_PKEY_PARAM_PUB_KEY, pub,
	    sizeof(pub), &pubsz);
	OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0);
	OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, pubsz);
	p = OSSL_PARAM_BLD_to_param(b);
	pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY_fromdata_init(pc);
	EVP_PKEY_fromdata(pc, &fd, EVP_PKEY_PUBLIC_KEY, p);
	for (r = 0; r < 5; r++)
		printf("round %d: nid-key %.1f us  fromdata-key %.1f us"
		    "  pkey_verify %.1f us\n", r, run(gen, sig, sigsz, n),
		    run(fd, sig, sigsz, n), run2(fd, sig, sigsz, n));
	return 0;
}
