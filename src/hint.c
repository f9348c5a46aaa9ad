/*
 * hint.c - is an id_token_hint valid (docs/design.md section 6)?  The header is
 * read here before anything is trusted: strict compact form, alg given
 * once and matched case-sensitively, no key carried in the token, the
 * key picked by kid, the algorithm that key allows and no other; then
 * the signature, with the EVP_PKEY converted at load time (RFC 7515,
 * RFC 8725 sections 3.1-3.2, 3.10-3.11); then the claims (OpenID Connect
 * Core 1.0 section 2, RP-Initiated Logout 1.0 section 2).  libjwt is not
 * on this path: it trusts the header's alg and re-parses the key on
 * every call (docs/libraries.md sections 1 and 4).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endsession.h"

const char *const hint_res_names[HINT__MAX] = {
	"valid",			/* HINT_VALID */
	"not a compact JWS",		/* HINT_FORM */
	"bad JOSE header",		/* HINT_HEADER */
	"alg missing, unknown, none or symmetric", /* HINT_ALG */
	"key or critical extension in header", /* HINT_TOKEN_KEY */
	"typed as another kind of token", /* HINT_TYP */
	"no key for this kid",		/* HINT_KID */
	"alg not allowed for this key",	/* HINT_ALG_KEY */
	"signature does not verify",	/* HINT_SIG */
	"bad claims",			/* HINT_CLAIMS */
	"wrong issuer",			/* HINT_ISS */
	"no registered audience",	/* HINT_AUD */
	"issued in the future",		/* HINT_IAT_FUTURE */
	"issued too long ago",		/* HINT_IAT_OLD */
	"not yet valid",		/* HINT_NBF */
	"a logout token",		/* HINT_EVENTS */
};

/* Decodes one base64url segment (perhaps empty) into the arena. */
static unsigned char *
segment(struct arena *ar, const char *s, size_t sz, size_t *outsz)
{
	unsigned char	*p;
	size_t		 cap = b64url_decsz(sz) + 1;

	if ((p = arena_alloc(ar, cap)) == NULL)
		return NULL;
	if (!b64url_decode(s, sz, p, cap, outsz))
		return NULL;
	return p;
}

/* A NumericDate (RFC 7519 section 2): a JSON number, whole seconds. */
static int
numdate(const struct json *j, int64_t *out)
{
	double	 d;
	char	*end;

	if (j->type != JSON_NUMBER)
		return 0;
	if (j->isint) {
		*out = j->i;
		return 1;
	}
	d = strtod(j->s, &end);
	if (end != j->s + j->sz || !isfinite(d) || d < -9.2e18 || d > 9.2e18)
		return 0;
	*out = (int64_t)d;	/* whole seconds, toward zero */
	return 1;
}

/* "typ" names another kind of JWT (RFC 9068, OIDC Back-Channel Logout). */
static int
foreign_typ(const char *t)
{
	if (strncasecmp(t, "application/", 12) == 0)
		t += 12;
	return strcasecmp(t, "at+jwt") == 0 ||
	    strcasecmp(t, "logout+jwt") == 0 ||
	    strcasecmp(t, "secevent+jwt") == 0;
}

/*
 * The JOSE header members read (RFC 7515 section 4.1): the HDR_USED
 * first are used, the rest refused (a key, or processing rules, carried
 * by the token itself).  Any other member is skipped.
 */
#define HDR_USED	3
static const struct json_keep header_keep[] = {
	{ "alg", NULL },
	{ "typ", NULL },
	{ "kid", NULL },
	{ "jwk", NULL },
	{ "jku", NULL },
	{ "x5u", NULL },
	{ "x5c", NULL },
	{ "crit", NULL },
	{ "b64", NULL },
	{ "zip", NULL },
	{ "enc", NULL },
	{ NULL, NULL }
};

/* The claims read (RFC 7519 section 4.1, OIDC Core section 2). */
static const struct json_keep claims_keep[] = {
	{ "iss", NULL },
	{ "aud", NULL },
	{ "azp", NULL },
	{ "iat", NULL },
	{ "nbf", NULL },
	{ "exp", NULL },
	{ "sub", NULL },
	{ "sid", NULL },
	{ "events", NULL },
	{ NULL, NULL }
};

/*
 * Reads the JOSE header: exactly the members we understand or may
 * ignore.  Sets *alg and *kid.
 */
static enum hint_res
jws_header(const struct json *h, enum alg *alg, const struct json **kid)
{
	const struct json_keep	*m;
	const struct json	*a, *t;

	if (h == NULL || h->type != JSON_OBJECT)
		return HINT_HEADER;
	for (m = header_keep + HDR_USED; m->name != NULL; m++)
		if (json_get(h, m->name) != NULL)
			return HINT_TOKEN_KEY;
	if ((a = json_get(h, "alg")) == NULL || a->type != JSON_STRING)
		return HINT_ALG;
	/* Case-sensitive (RFC 7515 4.1.1): "none", "HS256", "rs256" fail. */
	if ((*alg = alg_find(a->s, a->sz)) == ALG__MAX)
		return HINT_ALG;
	if ((t = json_get(h, "typ")) != NULL &&
	    (t->type != JSON_STRING || foreign_typ(t->s)))
		return HINT_TYP;
	if ((*kid = json_get(h, "kid")) != NULL &&
	    ((*kid)->type != JSON_STRING || (*kid)->sz == 0))
		return HINT_HEADER;
	return HINT_VALID;
}

static enum hint_res
claims(const struct hint_ctx *hc, const struct json *c, time_t now,
    struct arena *ar, struct hint *h)
{
	const struct json	*iss, *aud, *v;
	int64_t			 t;
	size_t			 i;
	int			 known = 0;

	if (c == NULL || c->type != JSON_OBJECT)
		return HINT_CLAIMS;
	if ((iss = json_get(c, "iss")) == NULL || iss->type != JSON_STRING ||
	    strlen(hc->issuer) != iss->sz ||
	    memcmp(hc->issuer, iss->s, iss->sz) != 0)
		return HINT_ISS;
	if (json_get(c, "events") != NULL)
		return HINT_EVENTS;

	if ((aud = json_get(c, "aud")) == NULL)
		return HINT_AUD;
	if (aud->type == JSON_STRING) {
		if ((h->aud = arena_alloc(ar, sizeof(*h->aud))) == NULL)
			return HINT_CLAIMS;
		h->aud[0] = aud->s;
		h->audsz = 1;
	} else if (aud->type == JSON_ARRAY && aud->sz > 0) {
		if ((h->aud = arena_calloc(ar, aud->sz, sizeof(*h->aud))) ==
		    NULL)
			return HINT_CLAIMS;
		for (i = 0; i < aud->sz; i++) {
			if (aud->v[i].type != JSON_STRING)
				return HINT_CLAIMS;
			h->aud[i] = aud->v[i].s;
		}
		h->audsz = aud->sz;
	} else
		return HINT_AUD;
	for (i = 0; i < h->audsz; i++)
		if (clients_find(hc->reg, h->aud[i], strlen(h->aud[i])) != NULL)
			known = 1;
	if (!known)
		return HINT_AUD;

	if ((v = json_get(c, "iat")) == NULL || !numdate(v, &t))
		return HINT_IAT_OLD;
	h->iat = t;
	if (t > (int64_t)now + hc->clock_skew)
		return HINT_IAT_FUTURE;
	if (t < (int64_t)now - hc->max_age)
		return HINT_IAT_OLD;
	if ((v = json_get(c, "nbf")) != NULL &&
	    (!numdate(v, &t) || t > (int64_t)now + hc->clock_skew))
		return HINT_NBF;
	/* exp may be long past (RP-Initiated Logout 1.0 section 2). */
	if ((v = json_get(c, "exp")) != NULL && !numdate(v, &t))
		return HINT_CLAIMS;

	if ((v = json_get(c, "sub")) != NULL) {
		if (v->type != JSON_STRING)
			return HINT_CLAIMS;
		h->sub = v->s;
	}
	if ((v = json_get(c, "sid")) != NULL) {
		if (v->type != JSON_STRING)
			return HINT_CLAIMS;
		h->sid = v->s;
	}
	if ((v = json_get(c, "azp")) != NULL) {
		if (v->type != JSON_STRING)
			return HINT_CLAIMS;
		h->azp = v->s;
	}

	/* The client: the audience, or azp when there are several. */
	if (h->audsz == 1)
		h->client = clients_find(hc->reg, h->aud[0], strlen(h->aud[0]));
	else if (h->azp != NULL)
		for (i = 0; i < h->audsz; i++)
			if (strcmp(h->aud[i], h->azp) == 0)
				h->client = clients_find(hc->reg, h->azp,
				    strlen(h->azp));
	return HINT_VALID;
}

enum hint_res
hint_check(const struct hint_ctx *hc, const char *tok, size_t toksz,
    time_t now, struct arena *ar, struct hint *h)
{
	const char		*d1, *d2;
	unsigned char		*hdr, *pay, *sig;
	size_t			 hdrsz, paysz, sigsz, off;
	const struct json	*kid = NULL;
	const struct key	*k;
	char			 msg[64];
	enum alg		 alg;
	enum hint_res		 res;

	memset(h, 0, sizeof(*h));
	if (toksz > LIM_HINT_SZ)
		return HINT_FORM;
	if ((d1 = memchr(tok, '.', toksz)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', toksz - (size_t)(d1 + 1 - tok))) == NULL ||
	    memchr(d2 + 1, '.', toksz - (size_t)(d2 + 1 - tok)) != NULL)
		return HINT_FORM;
	/*
	 * Header and payload are never empty; an empty signature is left
	 * for the header check, which names "none" for what it is.
	 */
	if (d1 == tok || d2 == d1 + 1)
		return HINT_FORM;
	if ((hdr = segment(ar, tok, (size_t)(d1 - tok), &hdrsz)) == NULL ||
	    (pay = segment(ar, d1 + 1, (size_t)(d2 - d1 - 1), &paysz)) ==
	    NULL ||
	    (sig = segment(ar, d2 + 1, toksz - (size_t)(d2 + 1 - tok),
	    &sigsz)) == NULL)
		return HINT_FORM;

	res = jws_header(json_parse_keep(ar, header_keep, (const char *)hdr,
	    hdrsz, &off, msg, sizeof(msg)), &alg, &kid);
	if (res != HINT_VALID)
		return res;
	if ((k = jwks_pick(hc->keys, kid != NULL ? kid->s : NULL,
	    kid != NULL ? kid->sz : 0, alg)) == NULL)
		return HINT_KID;
	if (!key_allows(k, alg))
		return HINT_ALG_KEY;
	if (!jws_verify(k, alg, (const unsigned char *)tok,
	    (size_t)(d2 - tok), sig, sigsz))
		return HINT_SIG;

	res = claims(hc, json_parse_keep(ar, claims_keep, (const char *)pay,
	    paysz, &off, msg, sizeof(msg)), now, ar, h);
	if (res != HINT_VALID)
		memset(h, 0, sizeof(*h));
	return res;
}
