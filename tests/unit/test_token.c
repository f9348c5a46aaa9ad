/*
 * test_token.c - token.c: mint then check, every field bound, expiry,
 * garbled tokens, another secret, and the secret's minimum size.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "unit.h"
#include "endsession.h"
#include "keys.h"

#define NOW	TK_NOW

static const unsigned char secret[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char secret2[32] = "0123456789abcdef0123456789abcdeF";

static struct val
V(const char *s)
{
	struct val	 v = { s, s == NULL ? 0 : strlen(s) };

	return v;
}

static void
fields(struct token_fields *f)
{
	f->client_id = V("rp1");
	f->plru = V("https://rp1.example/cb");
	f->state = V("st");
	f->ui_locales = V("sv en");
	f->browser_sid = V("s-1");
	f->cookie = V("abcdefghijklmnopqrstuv");
}

static void
test_roundtrip(void)
{
	struct token_key	*tk;
	struct token_fields	 f;
	char			 tok[TOKEN_SZ + 1];

	tk = token_key_new(secret, sizeof(secret));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tk);
	fields(&f);
	memset(tok, 'x', sizeof(tok));
	CU_ASSERT_EQUAL_FATAL(token_mint(tk, &f, NOW + TOKEN_TTL, tok), 1);
	CU_ASSERT_EQUAL(strlen(tok), TOKEN_SZ);
	CU_ASSERT_EQUAL(token_check(tk, &f, tok, TOKEN_SZ, NOW), TOKEN_OK);
	CU_ASSERT_EQUAL(token_check(tk, &f, tok, TOKEN_SZ, NOW + TOKEN_TTL),
	    TOKEN_OK);
	CU_ASSERT_EQUAL(token_check(tk, &f, tok, TOKEN_SZ,
	    NOW + TOKEN_TTL + 1), TOKEN_EXPIRED);
	CU_ASSERT_EQUAL(token_check(tk, &f, tok, TOKEN_SZ, NOW + 86400),
	    TOKEN_EXPIRED);
	/* An expiry too far in the future is not one we minted. */
	CU_ASSERT_EQUAL_FATAL(token_mint(tk, &f, NOW + 86400, tok), 1);
	CU_ASSERT_EQUAL(token_check(tk, &f, tok, TOKEN_SZ, NOW),
	    TOKEN_EXPIRED);
	/* Absent fields: NULL and "" are the same. */
	memset(&f, 0, sizeof(f));
	CU_ASSERT_EQUAL_FATAL(token_mint(tk, &f, NOW + TOKEN_TTL, tok), 1);
	CU_ASSERT_EQUAL(token_check(tk, &f, tok, TOKEN_SZ, NOW), TOKEN_OK);
	token_key_free(tk);
	token_key_free(NULL);
}

/* Each field changed on its own: the token no longer fits. */
static void
test_fields_bound(void)
{
	struct token_key	*tk;
	struct token_fields	 f, g;
	struct val		*slot[6];
	char			 tok[TOKEN_SZ + 1];
	size_t			 i;
	const char		*other[] = { "rp2", "https://rp1.example/cb/",
	    "su", "sv", "s-2", "abcdefghijklmnopqrstuw" };

	tk = token_key_new(secret, sizeof(secret));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tk);
	fields(&f);
	CU_ASSERT_EQUAL_FATAL(token_mint(tk, &f, NOW + TOKEN_TTL, tok), 1);
	for (i = 0; i < 6; i++) {
		g = f;
		slot[0] = &g.client_id;
		slot[1] = &g.plru;
		slot[2] = &g.state;
		slot[3] = &g.ui_locales;
		slot[4] = &g.browser_sid;
		slot[5] = &g.cookie;
		*slot[i] = V(other[i]);
		CU_ASSERT_EQUAL(token_check(tk, &g, tok, TOKEN_SZ, NOW),
		    TOKEN_BAD);
		/* Removed. */
		*slot[i] = V(NULL);
		CU_ASSERT_EQUAL(token_check(tk, &g, tok, TOKEN_SZ, NOW),
		    TOKEN_BAD);
	}
	/* Bytes moved from one field to the next. */
	g = f;
	g.client_id = V("rp");
	g.plru = V("1https://rp1.example/cb");
	CU_ASSERT_EQUAL(token_check(tk, &g, tok, TOKEN_SZ, NOW), TOKEN_BAD);
	/* The same bytes in another field (state, then ui_locales). */
	memset(&f, 0, sizeof(f));
	f.state = V("a");
	CU_ASSERT_EQUAL_FATAL(token_mint(tk, &f, NOW + TOKEN_TTL, tok), 1);
	memset(&g, 0, sizeof(g));
	g.ui_locales = V("a");
	CU_ASSERT_EQUAL(token_check(tk, &g, tok, TOKEN_SZ, NOW), TOKEN_BAD);
	/* A browser session added where there was none. */
	g = f;
	g.browser_sid = V("s-1");
	CU_ASSERT_EQUAL(token_check(tk, &g, tok, TOKEN_SZ, NOW), TOKEN_BAD);
	/* A confirm cookie added where there was none. */
	g = f;
	g.cookie = V("abcdefghijklmnopqrstuv");
	CU_ASSERT_EQUAL(token_check(tk, &g, tok, TOKEN_SZ, NOW), TOKEN_BAD);
	token_key_free(tk);
}

static void
test_garbled(void)
{
	struct token_key	*tk, *tk2;
	struct token_fields	 f;
	char			 tok[TOKEN_SZ + 1], t[TOKEN_SZ + 8];
	size_t			 i;

	tk = token_key_new(secret, sizeof(secret));
	tk2 = token_key_new(secret2, sizeof(secret2));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tk);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tk2);
	fields(&f);
	CU_ASSERT_EQUAL_FATAL(token_mint(tk, &f, NOW + TOKEN_TTL, tok), 1);

	CU_ASSERT_EQUAL(token_check(tk, &f, NULL, 0, NOW), TOKEN_MISSING);
	CU_ASSERT_EQUAL(token_check(tk, &f, "", 0, NOW), TOKEN_MISSING);
	/* Another secret. */
	CU_ASSERT_EQUAL(token_check(tk2, &f, tok, TOKEN_SZ, NOW), TOKEN_BAD);
	/* Every character changed in turn (the last keeps its zero bits). */
	for (i = 0; i + 1 < TOKEN_SZ; i++) {
		memcpy(t, tok, sizeof(tok));
		t[i] = t[i] == 'A' ? 'B' : 'A';
		CU_ASSERT_EQUAL(token_check(tk, &f, t, TOKEN_SZ, NOW),
		    TOKEN_BAD);
	}
	/* Short and long. */
	CU_ASSERT_EQUAL(token_check(tk, &f, tok, TOKEN_SZ - 1, NOW),
	    TOKEN_BAD);
	CU_ASSERT_EQUAL(token_check(tk, &f, tok, 4, NOW), TOKEN_BAD);
	memcpy(t, tok, TOKEN_SZ);
	memcpy(t + TOKEN_SZ, "AA", 3);
	CU_ASSERT_EQUAL(token_check(tk, &f, t, TOKEN_SZ + 2, NOW), TOKEN_BAD);
	/* Not base64url. */
	memcpy(t, tok, sizeof(tok));
	t[10] = '+';
	CU_ASSERT_EQUAL(token_check(tk, &f, t, TOKEN_SZ, NOW), TOKEN_BAD);
	memset(t, '=', TOKEN_SZ);
	CU_ASSERT_EQUAL(token_check(tk, &f, t, TOKEN_SZ, NOW), TOKEN_BAD);
	memset(t, 'A', TOKEN_SZ);
	CU_ASSERT_EQUAL(token_check(tk, &f, t, TOKEN_SZ, NOW), TOKEN_BAD);
	/* An expired forgery is BAD, not EXPIRED: the tag comes first. */
	memcpy(t, tok, sizeof(tok));
	t[30] = t[30] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(token_check(tk, &f, t, TOKEN_SZ, NOW + 86400),
	    TOKEN_BAD);
	token_key_free(tk);
	token_key_free(tk2);
}

static void
test_key_size(void)
{
	struct token_key	*tk;

	CU_ASSERT_PTR_NULL(token_key_new(secret, 31));
	CU_ASSERT_PTR_NULL(token_key_new(secret, 0));
	tk = token_key_new(secret, 32);
	CU_ASSERT_PTR_NOT_NULL(tk);
	token_key_free(tk);
}

/* The tag's message, as token.c feeds it: label, expiry, each field. */
static size_t
message(const struct token_fields *f, const unsigned char exp[8],
    unsigned char *m)
{
	static const unsigned char	 label[] = "endsession confirm v2";
	const struct val		*v[6] = { &f->client_id, &f->plru,
	    &f->state, &f->ui_locales, &f->browser_sid, &f->cookie };
	size_t				 n = 0, i;
	int				 b;

	memcpy(m, label, sizeof(label));
	n += sizeof(label);
	memcpy(m + n, exp, 8);
	n += 8;
	for (i = 0; i < 6; i++) {
		for (b = 0; b < 8; b++)
			m[n++] = (unsigned char)((uint64_t)v[i]->sz >>
			    (56 - 8 * b));
		memcpy(m + n, v[i]->p, v[i]->sz);
		n += v[i]->sz;
	}
	return n;
}

/*
 * token.c computes HMAC-SHA256 itself from pad states made once: the tag
 * must equal OpenSSL's own HMAC of the same message, for a secret shorter
 * than a block and for one longer (hashed first, RFC 2104 section 2).
 */
static void
test_hmac_reference(void)
{
	unsigned char		 key[100], raw[TOKEN_RAWSZ + 3], m[512], want[32];
	size_t			 sizes[] = { 32, 64, 65, 100 }, k, rawsz, msz, wsz;
	struct token_key	*tk;
	struct token_fields	 f;
	char			 tok[TOKEN_SZ + 1];

	for (k = 0; k < sizeof(key); k++)
		key[k] = (unsigned char)(k * 7 + 1);
	fields(&f);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		tk = token_key_new(key, sizes[k]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tk);
		CU_ASSERT_EQUAL_FATAL(token_mint(tk, &f, NOW + TOKEN_TTL, tok),
		    1);
		CU_ASSERT_FATAL(b64url_decode(tok, TOKEN_SZ, raw, sizeof(raw),
		    &rawsz) && rawsz == TOKEN_RAWSZ);
		msz = message(&f, raw, m);
		CU_ASSERT_PTR_NOT_NULL_FATAL(EVP_Q_mac(NULL, "HMAC", NULL,
		    "SHA256", NULL, key, sizes[k], m, msz, want, sizeof(want),
		    &wsz));
		CU_ASSERT_EQUAL(wsz, 32);
		CU_ASSERT_EQUAL(memcmp(want, raw + 8, 32), 0);
		token_key_free(tk);
	}
}

UNIT_SUITE("token",
	{ "HMAC equals OpenSSL's", test_hmac_reference },
	{ "mint, check, expiry", test_roundtrip },
	{ "every field bound", test_fields_bound },
	{ "garbled, missing, another secret", test_garbled },
	{ "secret size", test_key_size },
)
