/*
 * jose.c - see jose.h.  The signer the unit tests and the token tool
 * share; OpenSSL 3 only, so the unit tests need no JWT library.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "endsession.h"
#include "jose.h"

void
jose_b64(struct buf *b, const void *p, size_t sz)
{
	char	*s;

	if ((s = malloc(b64url_encsz(sz) + 1)) == NULL) {
		b->oom = 1;
		return;
	}
	b64url_encode(p, sz, s);
	s[b64url_encsz(sz)] = '\0';
	buf_adds(b, s);
	free(s);
}

/* The digest of alg ("RS256" -> SHA256), NULL for EdDSA and none. */
static const char *
md_name(const char *alg)
{
	size_t	 n = strlen(alg);

	if (n != 5 || strchr("RPEH", alg[0]) == NULL || alg[1] != 'S')
		return NULL;
	if (strcmp(alg + 2, "256") == 0)
		return "SHA256";
	if (strcmp(alg + 2, "384") == 0)
		return "SHA384";
	if (strcmp(alg + 2, "512") == 0)
		return "SHA512";
	return NULL;
}

/*
 * Turns the DER ECDSA signature in *sig into JOSE R||S (RFC 7518 section
 * 3.4), each half as long as the key's field; *sig is replaced.
 */
static int
ecdsa_raw(const EVP_PKEY *pk, unsigned char **sig, size_t *sigsz)
{
	ECDSA_SIG		*es = NULL;
	const BIGNUM		*r, *s;
	const unsigned char	*p = *sig;
	unsigned char		*raw = NULL;
	int			 n, rc = 0;

	n = (EVP_PKEY_get_bits(pk) + 7) / 8;
	if (n <= 0 || *sigsz > LONG_MAX ||
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)*sigsz)) == NULL ||
	    (raw = malloc(2 * (size_t)n)) == NULL)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, raw, n) != n || BN_bn2binpad(s, raw + n, n) != n)
		goto out;
	free(*sig);
	*sig = raw;
	*sigsz = 2 * (size_t)n;
	raw = NULL;
	rc = 1;
out:
	free(raw);
	ECDSA_SIG_free(es);
	return rc;
}

int
jose_sign(const char *alg, EVP_PKEY *pk, const void *secret,
    size_t secretsz, const void *data, size_t sz, unsigned char **sig,
    size_t *sigsz)
{
	EVP_MD_CTX	*mctx = NULL;
	EVP_PKEY_CTX	*pctx = NULL;
	EVP_MD		*md = NULL;
	const char	*mdn = md_name(alg);
	unsigned char	*s = NULL;
	size_t		 ssz = 0;
	int		 rc = 0;

	if (strcmp(alg, "none") == 0) {
		/* An empty signature; malloc(0) may give NULL. */
		if ((s = malloc(1)) == NULL)
			goto out;
		goto done;
	}
	if (alg[0] == 'H' && mdn != NULL) {
		if ((s = malloc(EVP_MAX_MD_SIZE)) == NULL ||
		    EVP_Q_mac(NULL, "HMAC", NULL, mdn, NULL, secret, secretsz,
		    data, sz, s, EVP_MAX_MD_SIZE, &ssz) == NULL)
			goto out;
		goto done;
	}
	if (pk == NULL || (mdn == NULL && strcmp(alg, "EdDSA") != 0))
		goto out;
	if ((mctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (mdn != NULL && (md = EVP_MD_fetch(NULL, mdn, NULL)) == NULL)
		goto out;
	if (EVP_DigestSignInit(mctx, &pctx, md, NULL, pk) != 1)
		goto out;
	if (alg[0] == 'P' &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
	    RSA_PSS_SALTLEN_DIGEST) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1))
		goto out;
	if (EVP_DigestSign(mctx, NULL, &ssz, data, sz) != 1 ||
	    (s = malloc(ssz)) == NULL ||
	    EVP_DigestSign(mctx, s, &ssz, data, sz) != 1)
		goto out;
	if (alg[0] == 'E' && mdn != NULL && !ecdsa_raw(pk, &s, &ssz))
		goto out;
done:
	*sig = s;
	*sigsz = ssz;
	s = NULL;
	rc = 1;
out:
	free(s);
	EVP_MD_free(md);
	EVP_MD_CTX_free(mctx);
	return rc;
}

/* Appends ,"name":"b64url(bn, padded to len bytes; len 0: minimal)". */
static int
add_bn(struct buf *b, const char *name, const EVP_PKEY *pk,
    const char *param, size_t len)
{
	BIGNUM		*bn = NULL;
	unsigned char	*p = NULL;
	int		 n, rc = 0;

	if (!EVP_PKEY_get_bn_param(pk, param, &bn))
		goto out;
	if (len == 0)
		len = (size_t)BN_num_bytes(bn);
	if (len == 0 || len > 8192 || (p = malloc(len)) == NULL)
		goto out;
	if ((n = BN_bn2binpad(bn, p, (int)len)) < 0 || (size_t)n != len)
		goto out;
	buf_adds(b, ",\"");
	buf_adds(b, name);
	buf_adds(b, "\":\"");
	jose_b64(b, p, len);
	buf_addc(b, '"');
	rc = 1;
out:
	free(p);
	BN_free(bn);
	return rc;
}

int
jose_jwk(struct buf *b, const EVP_PKEY *pk)
{
	char		 grp[64];
	unsigned char	 raw[64];
	size_t		 rawsz = sizeof(raw), clen;
	const char	*crv;

	if (EVP_PKEY_is_a(pk, "RSA")) {
		buf_adds(b, "\"kty\":\"RSA\"");
		return add_bn(b, "n", pk, OSSL_PKEY_PARAM_RSA_N, 0) &&
		    add_bn(b, "e", pk, OSSL_PKEY_PARAM_RSA_E, 0);
	}
	if (EVP_PKEY_is_a(pk, "ED25519")) {
		if (EVP_PKEY_get_raw_public_key(pk, raw, &rawsz) != 1)
			return 0;
		buf_adds(b, "\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"");
		jose_b64(b, raw, rawsz);
		buf_addc(b, '"');
		return 1;
	}
	if (!EVP_PKEY_is_a(pk, "EC"))
		return -1;
	if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
	    grp, sizeof(grp), NULL))
		return 0;
	if (strcmp(grp, "prime256v1") == 0 || strcmp(grp, "P-256") == 0) {
		crv = "P-256";
		clen = 32;
	} else if (strcmp(grp, "secp384r1") == 0 ||
	    strcmp(grp, "P-384") == 0) {
		crv = "P-384";
		clen = 48;
	} else if (strcmp(grp, "secp521r1") == 0 ||
	    strcmp(grp, "P-521") == 0) {
		crv = "P-521";
		clen = 66;
	} else
		return -1;
	buf_adds(b, "\"kty\":\"EC\",\"crv\":\"");
	buf_adds(b, crv);
	buf_addc(b, '"');
	return add_bn(b, "x", pk, OSSL_PKEY_PARAM_EC_PUB_X, clen) &&
	    add_bn(b, "y", pk, OSSL_PKEY_PARAM_EC_PUB_Y, clen);
}
