/*
 * mint.c - endsession-mint: signs test and demo tokens and prints the
 * public JWK of a PEM key.  A tool for the tests and the demo, built in
 * build/ and never installed: it forges what the endpoint must refuse.
 *
 * RS*, ES*, HS* and "none" are signed by libjwt 1.10.2, as an RP's
 * library would; PS* and EdDSA, which libjwt 1.10 lacks, directly with
 * OpenSSL 3 (RFC 7518 section 3.5, RFC 8037 section 3.1).  libjwt 1.10.2
 * always writes "typ":"JWT", so a token with another typ (-t, or typ in
 * -H) is signed with OpenSSL whatever its algorithm.  HS* takes the
 * key file's raw bytes as the secret, so tests can forge the "HMAC keyed
 * with the RSA public key" token (RFC 8725 section 2.1).  The OpenSSL
 * signer and the JWK export are tests/tools/jose.c, shared with the unit
 * tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <yajl_gen.h>
#include <yajl_tree.h>

#include "endsession.h"
#include "jose.h"

#define MINT_KEY_SZ	(1024 * 1024)	/* key file */

enum kind {
	K_LIBJWT,			/* RS*, ES*, HS*, none */
	K_PSS,
	K_EDDSA
};

struct algdef {
	const char	*name;
	enum kind	 kind;
	jwt_alg_t	 jalg;
};

static const struct algdef algdefs[] = {
	{ "none",  K_LIBJWT, JWT_ALG_NONE },
	{ "HS256", K_LIBJWT, JWT_ALG_HS256 },
	{ "HS384", K_LIBJWT, JWT_ALG_HS384 },
	{ "HS512", K_LIBJWT, JWT_ALG_HS512 },
	{ "RS256", K_LIBJWT, JWT_ALG_RS256 },
	{ "RS384", K_LIBJWT, JWT_ALG_RS384 },
	{ "RS512", K_LIBJWT, JWT_ALG_RS512 },
	{ "ES256", K_LIBJWT, JWT_ALG_ES256 },
	{ "ES384", K_LIBJWT, JWT_ALG_ES384 },
	{ "ES512", K_LIBJWT, JWT_ALG_ES512 },
	{ "PS256", K_PSS,    JWT_ALG_NONE },
	{ "PS384", K_PSS,    JWT_ALG_NONE },
	{ "PS512", K_PSS,    JWT_ALG_NONE },
	{ "EdDSA", K_EDDSA,  JWT_ALG_NONE },
};

static const char usage_text[] =
"usage: endsession-mint sign -k KEY.pem -a ALG [-i KID] [-t TYP] [-H JSON] CLAIMS_JSON\n"
"       endsession-mint jwk -k KEY.pem [-i KID] [-a ALG] [-u USE]\n"
"       endsession-mint --help\n"
"\n"
"sign  prints a compact JWS of the claims (a JSON object), then a newline.\n"
"      ALG: RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA,\n"
"      HS256 HS384 HS512 (the key file's raw bytes are the secret) or none\n"
"      (no -k needed).  -i sets the header's kid, -t its typ (default JWT),\n"
"      -H adds the members of a JSON object to the header.\n"
"jwk   prints the public JWK of a PEM key (private or public): RSA, EC\n"
"      P-256/P-384/P-521 or Ed25519, with kid, alg and use when given.\n"
"\n"
"Exit status: 0 done, 1 failure, 2 usage error.\n";

static void
usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

/* Prints msg and OpenSSL's first queued error, then clears the queue. */
static void
ossl_err(const char *msg)
{
	unsigned long	 e;
	char		 s[256];

	if ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, s, sizeof(s));
		fprintf(stderr, "endsession-mint: %s: %s\n", msg, s);
	} else
		fprintf(stderr, "endsession-mint: %s\n", msg);
	ERR_clear_error();
}

/* Reads a key file; the caller frees *out. */
static int
read_key(const char *path, char **out, size_t *outsz)
{
	struct es_err	 err;

	memset(&err, 0, sizeof(err));
	if (!file_read(path, MINT_KEY_SZ, out, outsz, &err)) {
		err_print(&err);
		return 0;
	}
	return 1;
}

/* Loads a PEM private key, else a public one.  NULL on failure. */
static EVP_PKEY *
load_pkey(const char *pem, size_t pemsz, int want_private)
{
	BIO		*bio;
	EVP_PKEY	*pk = NULL;

	if (pemsz > INT32_MAX)
		return NULL;
	if ((bio = BIO_new_mem_buf(pem, (int)pemsz)) == NULL)
		return NULL;
	pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (pk == NULL && !want_private) {
		BIO_free(bio);
		ERR_clear_error();
		if ((bio = BIO_new_mem_buf(pem, (int)pemsz)) == NULL)
			return NULL;
		pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	}
	BIO_free(bio);
	return pk;
}

/* Appends s as a JSON string (quoted, escaped). */
static void
json_str(struct buf *b, const char *s)
{
	const unsigned char *p;

	buf_addc(b, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)*p);
		} else if (*p < 0x20)
			buf_addf(b, "\\u%04x", *p);
		else
			buf_addc(b, (char)*p);
	}
	buf_addc(b, '"');
}

/* Parses s as a JSON object with yajl; NULL (and a message) if it is not. */
static yajl_val
parse_object(const char *what, const char *s)
{
	char		 eb[256];
	yajl_val	 v;

	if ((v = yajl_tree_parse(s, eb, sizeof(eb))) == NULL) {
		fprintf(stderr, "endsession-mint: %s: not JSON\n", what);
		return NULL;
	}
	if (!YAJL_IS_OBJECT(v)) {
		fprintf(stderr, "endsession-mint: %s: not a JSON object\n",
		    what);
		yajl_tree_free(v);
		return NULL;
	}
	return v;
}

/* Writes a yajl tree value into a generator.  Returns 1 on success. */
static int
gen_val(yajl_gen g, yajl_val v)
{
	size_t	 i;

	switch (v->type) {
	case yajl_t_string:
		return yajl_gen_string(g, (const unsigned char *)v->u.string,
		    strlen(v->u.string)) == yajl_gen_status_ok;
	case yajl_t_number:
		return yajl_gen_number(g, v->u.number.r,
		    strlen(v->u.number.r)) == yajl_gen_status_ok;
	case yajl_t_true:
	case yajl_t_false:
		return yajl_gen_bool(g, v->type == yajl_t_true) ==
		    yajl_gen_status_ok;
	case yajl_t_null:
		return yajl_gen_null(g) == yajl_gen_status_ok;
	case yajl_t_array:
		if (yajl_gen_array_open(g) != yajl_gen_status_ok)
			return 0;
		for (i = 0; i < v->u.array.len; i++)
			if (!gen_val(g, v->u.array.values[i]))
				return 0;
		return yajl_gen_array_close(g) == yajl_gen_status_ok;
	case yajl_t_object:
		if (yajl_gen_map_open(g) != yajl_gen_status_ok)
			return 0;
		for (i = 0; i < v->u.object.len; i++) {
			if (yajl_gen_string(g,
			    (const unsigned char *)v->u.object.keys[i],
			    strlen(v->u.object.keys[i])) != yajl_gen_status_ok ||
			    !gen_val(g, v->u.object.values[i]))
				return 0;
		}
		return yajl_gen_map_close(g) == yajl_gen_status_ok;
	default:
		return 0;
	}
}

/* Appends the compact serialisation of v. */
static int
compact(struct buf *b, yajl_val v)
{
	yajl_gen		 g;
	const unsigned char	*p;
	size_t			 sz;
	int			 rc = 0;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return 0;
	if (gen_val(g, v) &&
	    yajl_gen_get_buf(g, &p, &sz) == yajl_gen_status_ok) {
		buf_add(b, p, sz);
		rc = 1;
	}
	yajl_gen_free(g);
	return rc;
}

/*
 * Signs with libjwt.  The header is libjwt's ({"typ":"JWT","alg":..}),
 * with kid, typ and the -H members set on it.
 */
static int
sign_libjwt(const struct algdef *ad, const char *key, size_t keysz,
    const char *kid, const char *typ, const char *hdr, const char *claims,
    struct buf *out)
{
	jwt_t	*jwt = NULL;
	char	*s = NULL;
	int	 rc = 0, e;

	if (keysz > INT32_MAX) {
		fprintf(stderr, "endsession-mint: key too large\n");
		return 0;
	}
	if ((e = jwt_new(&jwt)) != 0) {
		fprintf(stderr, "endsession-mint: jwt_new: %s\n", strerror(e));
		goto out;
	}
	if ((e = jwt_add_grants_json(jwt, claims)) != 0) {
		fprintf(stderr, "endsession-mint: claims: %s\n", strerror(e));
		goto out;
	}
	if (hdr != NULL && (e = jwt_add_headers_json(jwt, hdr)) != 0) {
		fprintf(stderr, "endsession-mint: -H: %s\n", strerror(e));
		goto out;
	}
	if (kid != NULL) {
		jwt_del_headers(jwt, "kid");
		if ((e = jwt_add_header(jwt, "kid", kid)) != 0) {
			fprintf(stderr, "endsession-mint: kid: %s\n",
			    strerror(e));
			goto out;
		}
	}
	if (typ != NULL) {
		jwt_del_headers(jwt, "typ");
		if ((e = jwt_add_header(jwt, "typ", typ)) != 0) {
			fprintf(stderr, "endsession-mint: typ: %s\n",
			    strerror(e));
			goto out;
		}
	}
	if (ad->jalg == JWT_ALG_NONE)
		e = jwt_set_alg(jwt, JWT_ALG_NONE, NULL, 0);
	else
		e = jwt_set_alg(jwt, ad->jalg, (const unsigned char *)key,
		    (int)keysz);
	if (e != 0) {
		fprintf(stderr, "endsession-mint: jwt_set_alg %s: %s\n",
		    ad->name, strerror(e));
		goto out;
	}
	if ((s = jwt_encode_str(jwt)) == NULL) {
		ossl_err("cannot sign (does the key fit the algorithm?)");
		goto out;
	}
	buf_adds(out, s);
	rc = 1;
out:
	free(s);
	jwt_free(jwt);
	return rc;
}

/*
 * Builds the header {"alg":..,"typ":..,"kid":.., -H members} in compact
 * form; -H members override alg/typ/kid only when -i/-t were not given.
 */
static int
build_header(const char *alg, const char *kid, const char *typ,
    const char *hdr, struct buf *out)
{
	yajl_val	 h = NULL;
	size_t		 i;
	const char	*k;
	int		 rc = 0, has_typ = 0;

	if (hdr != NULL && (h = parse_object("-H", hdr)) == NULL)
		return 0;
	if (h != NULL && typ == NULL)
		for (i = 0; i < h->u.object.len; i++)
			if (strcmp(h->u.object.keys[i], "typ") == 0)
				has_typ = 1;
	buf_adds(out, "{\"alg\":");
	json_str(out, alg);
	if (typ != NULL || !has_typ) {
		buf_adds(out, ",\"typ\":");
		json_str(out, typ != NULL ? typ : "JWT");
	}
	if (kid != NULL) {
		buf_adds(out, ",\"kid\":");
		json_str(out, kid);
	}
	for (i = 0; h != NULL && i < h->u.object.len; i++) {
		k = h->u.object.keys[i];
		if (strcmp(k, "alg") == 0 ||
		    (strcmp(k, "typ") == 0 && typ != NULL) ||
		    (strcmp(k, "kid") == 0 && kid != NULL))
			continue;
		buf_addc(out, ',');
		json_str(out, k);
		buf_addc(out, ':');
		if (!compact(out, h->u.object.values[i])) {
			fprintf(stderr, "endsession-mint: -H: cannot "
			    "serialise\n");
			goto out;
		}
	}
	buf_addc(out, '}');
	rc = !out->oom;
out:
	yajl_tree_free(h);
	return rc;
}

/*
 * Signs with OpenSSL: PS* and EdDSA always, the others when the header
 * needs a typ libjwt would overwrite.
 */
static int
sign_ossl(const struct algdef *ad, const char *key, size_t keysz,
    const char *kid, const char *typ, const char *hdr, const char *claims,
    struct buf *out)
{
	struct buf	 h, in;
	yajl_val	 c = NULL;
	EVP_PKEY	*pk = NULL;
	unsigned char	*sig = NULL;
	size_t		 sigsz = 0;
	int		 rc = 0;

	memset(&h, 0, sizeof(h));
	memset(&in, 0, sizeof(in));
	if ((c = parse_object("claims", claims)) == NULL)
		goto out;
	if (!build_header(ad->name, kid, typ, hdr, &h))
		goto out;
	if (ad->name[0] != 'H' && ad->name[0] != 'n' &&
	    (pk = load_pkey(key, keysz, 1)) == NULL) {
		ossl_err("cannot read a PEM private key");
		goto out;
	}
	/* The key must fit the algorithm (HS* and none have no key pair). */
	if (pk != NULL && (ad->kind == K_PSS || ad->name[0] == 'R') &&
	    !EVP_PKEY_is_a(pk, "RSA")) {
		fprintf(stderr, "endsession-mint: %s needs an RSA key\n",
		    ad->name);
		goto out;
	}
	if (pk != NULL && ad->name[0] == 'E' && ad->kind != K_EDDSA &&
	    !EVP_PKEY_is_a(pk, "EC")) {
		fprintf(stderr, "endsession-mint: %s needs an EC key\n",
		    ad->name);
		goto out;
	}
	if (pk != NULL && ad->kind == K_EDDSA &&
	    !EVP_PKEY_is_a(pk, "ED25519")) {
		fprintf(stderr, "endsession-mint: EdDSA needs an Ed25519 "
		    "key\n");
		goto out;
	}

	/* Signing input: b64(header) "." b64(claims, compact). */
	jose_b64(&in, (const unsigned char *)h.p, h.sz);
	buf_addc(&in, '.');
	buf_reset(&h);
	if (!compact(&h, c)) {
		fprintf(stderr, "endsession-mint: claims: cannot serialise\n");
		goto out;
	}
	jose_b64(&in, (const unsigned char *)h.p, h.sz);
	if (in.oom || h.oom) {
		fprintf(stderr, "endsession-mint: out of memory\n");
		goto out;
	}

	if (!jose_sign(ad->name, pk, key, keysz, in.p, in.sz, &sig, &sigsz)) {
		ossl_err("cannot sign");
		goto out;
	}
	buf_add(out, in.p, in.sz);
	buf_addc(out, '.');
	jose_b64(out, sig, sigsz);
	rc = !out->oom;
out:
	free(sig);
	EVP_PKEY_free(pk);
	yajl_tree_free(c);
	buf_free(&h);
	buf_free(&in);
	return rc;
}

static int
print_jwk(const char *key, size_t keysz, const char *kid, const char *alg,
    const char *use)
{
	struct buf	 b;
	EVP_PKEY	*pk = NULL;
	int		 rc = 0, r;

	memset(&b, 0, sizeof(b));
	if ((pk = load_pkey(key, keysz, 0)) == NULL) {
		ossl_err("cannot read a PEM key");
		goto out;
	}
	buf_addc(&b, '{');
	if ((r = jose_jwk(&b, pk)) == 0)
		goto oerr;
	if (r < 0) {
		fprintf(stderr, "endsession-mint: unsupported key type or "
		    "curve (%s)\n", EVP_PKEY_get0_type_name(pk));
		goto out;
	}
	if (kid != NULL) {
		buf_adds(&b, ",\"kid\":");
		json_str(&b, kid);
	}
	if (alg != NULL) {
		buf_adds(&b, ",\"alg\":");
		json_str(&b, alg);
	}
	if (use != NULL) {
		buf_adds(&b, ",\"use\":");
		json_str(&b, use);
	}
	buf_adds(&b, "}\n");
	if (b.oom) {
		fprintf(stderr, "endsession-mint: out of memory\n");
		goto out;
	}
	if (fwrite(b.p, 1, b.sz, stdout) != b.sz || fflush(stdout) != 0) {
		fprintf(stderr, "endsession-mint: write: %s\n",
		    strerror(errno));
		goto out;
	}
	rc = 1;
	goto out;
oerr:
	ossl_err("cannot read the key's public parameters");
out:
	EVP_PKEY_free(pk);
	buf_free(&b);
	return rc;
}

/* Whether the header needs a typ other than libjwt's "JWT". */
static int
custom_typ(const char *typ, const char *hdr)
{
	yajl_val	 h;
	size_t		 i;
	int		 rc = 0;

	if (typ != NULL)
		return strcmp(typ, "JWT") != 0;
	if (hdr == NULL || (h = yajl_tree_parse(hdr, NULL, 0)) == NULL)
		return 0;
	for (i = 0; YAJL_IS_OBJECT(h) && i < h->u.object.len; i++)
		if (strcmp(h->u.object.keys[i], "typ") == 0)
			rc = 1;
	yajl_tree_free(h);
	return rc;
}

int
main(int argc, char *argv[])
{
	const struct algdef	*ad = NULL;
	const char		*cmd, *keyf = NULL, *alg = NULL, *kid = NULL;
	const char		*typ = NULL, *hdr = NULL, *use = NULL;
	char			*key = NULL;
	size_t			 keysz = 0, i;
	struct buf		 out;
	int			 c, rc = 1, sign;

	memset(&out, 0, sizeof(out));
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2)
		usage();
	cmd = argv[1];
	if (strcmp(cmd, "sign") == 0)
		sign = 1;
	else if (strcmp(cmd, "jwk") == 0)
		sign = 0;
	else {
		fprintf(stderr, "endsession-mint: unknown command: %s\n", cmd);
		usage();
	}
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt(argc, argv, sign ? "k:a:i:t:H:" : "k:a:i:u:"))
	    != -1) {
		switch (c) {
		case 'k':
			keyf = optarg;
			break;
		case 'a':
			alg = optarg;
			break;
		case 'i':
			kid = optarg;
			break;
		case 't':
			typ = optarg;
			break;
		case 'H':
			hdr = optarg;
			break;
		case 'u':
			use = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (!sign) {
		if (argc != 0 || keyf == NULL)
			usage();
		if (!read_key(keyf, &key, &keysz))
			goto out;
		rc = print_jwk(key, keysz, kid, alg, use) ? 0 : 1;
		goto out;
	}

	if (argc != 1 || alg == NULL)
		usage();
	for (i = 0; i < sizeof(algdefs) / sizeof(algdefs[0]); i++)
		if (strcmp(algdefs[i].name, alg) == 0)
			ad = &algdefs[i];
	if (ad == NULL) {
		fprintf(stderr, "endsession-mint: unknown algorithm: %s\n",
		    alg);
		usage();
	}
	if (strcmp(ad->name, "none") != 0) {
		if (keyf == NULL) {
			fprintf(stderr, "endsession-mint: %s needs -k\n", alg);
			usage();
		}
		if (!read_key(keyf, &key, &keysz))
			goto out;
	}
	if (hdr != NULL) {
		/* Refuse anything but an object before libjwt sees it. */
		yajl_val v = parse_object("-H", hdr);
		if (v == NULL)
			goto out;
		yajl_tree_free(v);
	}
	if (ad->kind == K_LIBJWT && !custom_typ(typ, hdr)) {
		yajl_val v = parse_object("claims", argv[0]);
		if (v == NULL)
			goto out;
		yajl_tree_free(v);
		if (!sign_libjwt(ad, key, keysz, kid, typ, hdr, argv[0],
		    &out))
			goto out;
	} else if (!sign_ossl(ad, key, keysz, kid, typ, hdr, argv[0], &out))
		goto out;
	buf_addc(&out, '\n');
	if (out.oom) {
		fprintf(stderr, "endsession-mint: out of memory\n");
		goto out;
	}
	if (fwrite(out.p, 1, out.sz, stdout) != out.sz ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "endsession-mint: write: %s\n",
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (key != NULL) {
		OPENSSL_cleanse(key, keysz);
		free(key);
	}
	buf_free(&out);
	return rc;
}
