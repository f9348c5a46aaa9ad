/*
 * endsession.h - the map of both programs, module by module.
 *
 * The pure core (form, req, json, b64url, utf8, hint, token, decide,
 * render, tmpl's rendering, html, locale, jline, ltoken, addr) does no I/O
 * and reads no clock: callers pass bytes and "now" in.  The loaders (conf,
 * clients, jwks, tmpl, state, sign) read files; log.c writes diagnostics;
 * sandbox.c restricts the process.  All of that is libcore.a, shared by
 * both programs.  main.c (the endpoint: CGI and FastCGI, the journal) is
 * the only code that touches the environment, stdin/stdout and libfcgi;
 * notify_main.c with jfollow, nstate and deliver (libnotify.a: inotify,
 * SQLite, libcurl) is the notifier.  Values travel as (pointer, size); a C
 * string is used only once it is known to hold no NUL.
 */
#ifndef ENDSESSION_H
#define ENDSESSION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ES_VERSION	"1.0.0"

/*
 * Limits.  Every one is checked before anything is allocated; past a
 * limit the answer is a malformed request (400) or an invalid file,
 * never truncation.  The README lists them.
 */
#define LIM_QUERY_SZ	16384		/* bytes of QUERY_STRING */
#define LIM_BODY_SZ	16384		/* bytes of a POST body */
#define LIM_PARAMS	32		/* name=value pairs in a query or body */
#define LIM_VALUE_SZ	8192		/* one parameter value, decoded */
#define LIM_HINT_SZ	8192		/* id_token_hint, compact JWS */
#define LIM_HEADER_SZ	8192		/* Cookie, Accept-Language, ... */
#define LIM_JSON_DEPTH	16		/* nesting of any JSON we read */
#define LIM_CONF_SZ	(64 * 1024)	/* configuration file */
#define LIM_CLIENTS_SZ	(64 * 1024 * 1024) /* client registrations file */
#define LIM_CLIENTS	500000		/* registered clients */
#define LIM_URIS	64		/* redirect URIs of one client */
#define LIM_URI_SZ	2048		/* one registered redirect URI */
#define LIM_JWKS_SZ	(256 * 1024)	/* keys file */
#define LIM_KEYS	64		/* keys in the keys file */
#define LIM_CONF_LINE	4096		/* one configuration line */
#define LIM_COOKIES	16		/* names in session_cookies */
#define LIM_COOKIE_NAME	128		/* one cookie name */
#define LIM_DOMAIN	253		/* cookie_domain (RFC 1035 2.3.4) */
#define LIM_COOKIE_PATH	1024		/* cookie_path */
#define LIM_LOG_LINE	2048		/* one diagnostic line, before escaping */
#define LIM_SECRET_SZ	4096		/* secret file (at least SECRET_MIN) */
#define SECRET_MIN	32
#define LIM_TMPL_SZ	(64 * 1024)	/* one HTML template */
#define TOKEN_TTL	600		/* confirmation form token lifetime, s */
#define LIM_VALUE_B64_SZ 10923		/* a form field carried base64url:
					   b64url_encsz(LIM_VALUE_SZ) */
#define NONCE_SZ	16		/* random bytes of the confirm cookie */
#define NONCE_B64SZ	22		/* the cookie value: b64url of those */
#define CONFIRM_COOKIE	"__Host-endsession-confirm"
#define LIM_JLINE_SZ	8192		/* one journal line (notifier) */
#define LIM_SIGNING_SZ	(256 * 1024)	/* signing_key file */
#define LIM_ALLOW	64		/* entries of notify_allow */
#define LIM_INFLIGHT	256		/* notifier: deliveries in flight */
#define LIM_INFLIGHT_URI 32		/* ... of them to one logout URI */
#define LIM_RESPONSE_SZ	4096		/* bytes of an RP's answer kept */
#define LTOKEN_TTL	120		/* logout token: exp - iat, s */
#define NOTIFY_KEEP	(7 * 86400)	/* finished notifications kept, s */

/* Configuration defaults and bounds, in seconds (conf.c's key table). */
#define HINT_MAX_AGE_DEF	(30 * 86400)	/* 2592000 */
#define HINT_MAX_AGE_MAX	(10LL * 366 * 86400)
#define CLOCK_SKEW_DEF		60
#define CLOCK_SKEW_MAX		3600
#define NOTIFY_TIMEOUT_DEF	5
#define NOTIFY_TIMEOUT_MAX	300
#define NOTIFY_RETRY_MAX_DEF	300
#define NOTIFY_RETRY_MAX_MAX	86400
#define NOTIFY_MAX_AGE_DEF	86400
#define NOTIFY_MAX_AGE_MAX	(366LL * 86400)

/* ---------------------------------------------------------------- util.c */

/* A growable byte buffer.  Once an append fails, "oom" stays set. */
struct buf {
	char	*p;
	size_t	 sz;
	size_t	 cap;
	int	 oom;
};

void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);

/*
 * A bump allocator.  Everything allocated from it goes at once with
 * arena_reset (keeps the first chunk for reuse) or arena_free.
 * Allocations are 16-byte aligned; NULL on failure or overflow.  Under
 * AddressSanitizer what a chunk has not handed out is poisoned (a kept
 * chunk again after a reset), so reading past an allocation, or through
 * a pointer kept from before a reset, is still caught.
 */
struct arena {
	struct arena_chunk *head;
};

void	*arena_alloc(struct arena *, size_t);
void	*arena_calloc(struct arena *, size_t, size_t);
char	*arena_strndup(struct arena *, const char *, size_t);
void	 arena_reset(struct arena *);
size_t	 arena_size(const struct arena *);
void	 arena_free(struct arena *);

/*
 * What went wrong with a file: printed as "FILE:LINE: msg", or
 * "FILE: msg" when line is 0.
 */
struct es_err {
	char	 file[1024];
	size_t	 line;
	char	 msg[512];
};

void	 err_set(struct es_err *, const char *file, size_t line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 err_print(const struct es_err *);

/*
 * Reads a whole regular file of at most max bytes into a NUL-terminated
 * malloc'd buffer.  Returns 0 and fills err (file too big, unreadable,
 * not a regular file) on failure.
 */
int	 file_read(const char *path, size_t max, char **out, size_t *outsz,
	    struct es_err *);

/* Line number (1-based) of byte offset off in buf. */
size_t	 line_of(const char *buf, size_t sz, size_t off);

/* ---------------------------------------------------------------- utf8.c */

/*
 * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF.  NUL bytes are refused too.  Returns 1 if valid.
 */
int	 utf8_valid(const char *, size_t);

/* -------------------------------------------------------------- b64url.c */

/*
 * Strict base64url without padding (RFC 7515 section 2): only
 * [A-Za-z0-9_-], no '=', no whitespace, length mod 4 != 1, unused
 * trailing bits zero.  Writes at most outcap bytes.  Returns 1 on success.
 */
int	 b64url_decode(const char *in, size_t insz, unsigned char *out,
	    size_t outcap, size_t *outsz);
/* Decoded size for insz input characters (an upper bound for invalid input). */
size_t	 b64url_decsz(size_t insz);
/* Encodes without padding; out must hold b64url_encsz(insz)+1 bytes. */
size_t	 b64url_encsz(size_t insz);
void	 b64url_encode(const unsigned char *in, size_t insz, char *out);

/* ---------------------------------------------------------------- json.c */

/*
 * A strict JSON reader on top of yajl's callback parser: depth limit,
 * duplicate keys refused (at every level, skipped members included), NUL
 * ("\u0000") refused, strict UTF-8, no comments, nothing after the value.
 * Duplicates are found by 64-bit key hashes: two different keys with the
 * same hash are refused too.  The tree lives in the caller's arena.
 * Besides malloc and realloc it calls no libc function that may make a
 * system call (no qsort), so it runs inside the sandbox.
 *
 * Memory: json_parse_keep stores only the members a reader names; a
 * skipped member costs 16 bytes while its object is open and nothing
 * after.  What a parse asks for (arena allocations and the high-water
 * mark of its stacks) never exceeds JSON_MEM_PER_BYTE bytes per input
 * byte plus JSON_MEM_SLACK: input that would need more is refused,
 * "needs more than 16 bytes of memory per byte of input" (README).
 */
#define JSON_MEM_PER_BYTE	16
#define JSON_MEM_SLACK		(64 * 1024)
enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/* 40 bytes: a field is read only for the types it is named for. */
struct json {
	enum json_type	  type;
	int		  isint; /* NUMBER: an integer literal that fits int64 */
	size_t		  off;	/* byte offset of the value in the input */
	size_t		  sz;	/* STRING, NUMBER: length; ARRAY, OBJECT: count */
	union {
		const char	 *s;	/* STRING: value; NUMBER: literal text */
		struct json	 *v;	/* ARRAY, OBJECT: sz children */
	};
	union {
		int64_t		  i;	/* NUMBER: its value when isint */
		const char	**k;	/* OBJECT: sz keys, parallel to v */
	};
};

/*
 * Parses sz bytes at buf, keeping everything.  Returns the root, or NULL
 * with *erroff (byte offset) and errmsg (at most errmsgsz bytes, one
 * line, never the input itself) filled.
 */
struct json	*json_parse(struct arena *, const char *buf, size_t sz,
		    size_t *erroff, char *errmsg, size_t errmsgsz);
/*
 * What a reader keeps of an object: a list of member names ended by a
 * NULL name; sub is what is kept of the objects in that member's value
 * (NULL: no member of them).  Adding a member a reader needs is one line.
 */
struct json_keep {
	const char		*name;
	const struct json_keep	*sub;
};

/*
 * json_parse keeping of the root object (and of each object in an array
 * there) only the members in keep; keep NULL keeps everything.  Skipped
 * members are still checked and take part in the duplicate check.
 */
struct json	*json_parse_keep(struct arena *, const struct json_keep *keep,
		    const char *buf, size_t sz, size_t *erroff, char *errmsg,
		    size_t errmsgsz);
/* Member key of an object, or NULL if obj is not an object or lacks it. */
const struct json *json_get(const struct json *obj, const char *key);

/* ---------------------------------------------------------------- form.c */

/* Parameters we know; every other name is ignored (after validation). */
enum param {
	P_ID_TOKEN_HINT,
	P_CLIENT_ID,
	P_LOGOUT_URI,			/* post_logout_redirect_uri */
	P_STATE,
	P_UI_LOCALES,
	P_LOGOUT_HINT,
	P_CONFIRM,		/* the confirmation form's token */
	P_OP,			/* "cancel": the "stay signed in" control */
	/*
	 * The confirmation form carries a field holding CR or LF under
	 * these names, base64url-encoded: browsers turn every line break
	 * of a submitted value into CRLF (HTML "constructing the entry
	 * list").  Keep them last: form.c allows them a longer value.
	 */
	P_CLIENT_ID_B64,
	P_STATE_B64,
	P_UI_LOCALES_B64,
	P__MAX
};

extern const char *const param_names[P__MAX];

/* A decoded value: NUL-terminated, no NUL inside, valid UTF-8. */
struct val {
	const char	*p;	/* NULL when absent or empty */
	size_t		 sz;
};

enum form_err {
	FORM_OK,
	FORM_TOO_LARGE,		/* input over the query/body limit */
	FORM_TOO_MANY,		/* more than LIM_PARAMS pairs */
	FORM_VALUE_TOO_LONG,	/* a value or name over LIM_VALUE_SZ */
	FORM_BAD_ESCAPE,	/* '%' not followed by two hex digits */
	FORM_NUL,		/* %00 */
	FORM_BAD_UTF8,
	FORM_DUPLICATE,		/* a known parameter given twice */
	FORM_NOMEM,
	FORM__MAX
};

/*
 * Parses application/x-www-form-urlencoded bytes (a query string or a
 * body; '+' is a space), decoding known parameters into vals (owned by
 * the arena).  Unknown names are decoded and checked, then dropped.
 * A value that decodes to "" counts as absent but still as given.
 */
enum form_err	 form_parse(struct arena *, const char *in, size_t insz,
		    size_t max, struct val vals[P__MAX]);

/* ----------------------------------------------------------------- req.c */

/* The raw CGI variables a request arrives with; any may be NULL. */
struct http_in {
	const char	*method;
	const char	*query;
	const char	*content_type;
	const char	*body;		/* POST body, exactly body_sz bytes */
	size_t		 body_sz;
	int		 body_bad;	/* CONTENT_LENGTH bad, over limit or short */
	const char	*cookie;
	const char	*accept_language;
	const char	*remote_addr;
	const char	*script_name;
	const char	*sec_fetch_site;
	const char	*origin;	/* HTTP_ORIGIN */
	const char	*host;		/* HTTP_HOST */
	const char	*https;		/* HTTPS */
	const char	*scheme;	/* REQUEST_SCHEME */
	const char	*server_name;
	const char	*server_port;
	const unsigned char *nonce;	/* NONCE_SZ fresh random bytes, or NULL */
};

enum method {
	M_GET,
	M_POST,
	M_OTHER
};

/* Why a request is malformed (outcome E before any decision). */
enum req_err {
	REQ_OK,
	REQ_FORM,		/* see form_err */
	REQ_BODY,		/* bad or missing CONTENT_LENGTH, short body */
	REQ_CONTENT_TYPE,	/* POST not application/x-www-form-urlencoded */
	REQ__MAX
};

/*
 * One request.  Owns every decoded byte through its arena; req_free is
 * the one place request memory goes.
 */
struct req {
	struct arena	 ar;
	enum method	 method;
	enum req_err	 err;
	enum form_err	 form_err;
	struct val	 p[P__MAX];
	const char	*browser_sid;	/* value of sid_cookie, NULL if none */
	size_t		 browser_sidsz;
	int		 browser_sid_many; /* cookie sent with differing values */
	const char	*accept_language; /* NULL or a checked copy */
	const char	*remote_addr;	/* NULL or a checked copy */
	const char	*action;	/* safe path to post the form to */
	int		 cross_site;	/* Sec-Fetch-Site: cross-site/same-site */
	int		 foreign_origin; /* Origin names another origin */
	const char	*confirm_cookie; /* CONFIRM_COOKIE's value, or NULL */
	char		 nonce[NONCE_B64SZ + 1]; /* fresh cookie value, or "" */
};

/*
 * Fills r from in.  sid_cookie names the session cookie to read (NULL
 * for none).  Never fails outright: a malformed request has r->err set.
 * Returns 0 only when out of memory.
 */
int	 req_parse(struct req *r, const struct http_in *in,
	    const char *sid_cookie);
/*
 * For a process that serves request after request: req_parse_next is
 * req_parse into an r that was zeroed once and since left by req_reset,
 * which ends a request but keeps its arena's first chunk for the next
 * one (no malloc per request).  req_free still frees it all.
 */
int	 req_parse_next(struct req *r, const struct http_in *in,
	    const char *sid_cookie);
void	 req_reset(struct req *);
void	 req_free(struct req *);

/* ---------------------------------------------------------------- conf.c */

struct conf {
	char		*path;		/* the configuration file itself */
	char		*issuer;
	char		*clients;	/* absolute or relative to cwd */
	char		*jwks;
	char		*secret;
	char		*templates;
	char		*journal;	/* NULL: no journal */
	char		**session_cookies;
	size_t		 session_cookiesz;
	char		*sid_cookie;
	char		*cookie_domain;
	char		*cookie_path;
	long long	 hint_max_age;
	long long	 clock_skew;
	char		*clients_url;
	char		*jwks_uri;
	/* Sign-out notifications (endsession-notify); on with signing_key. */
	char		*signing_key;
	char		*signing_kid;
	char		*notify_state;
	char		*notify_log;
	char		*notify_metrics;
	char		*notify_allow;	/* as written; checked by addr_parse */
	long long	 notify_timeout;
	long long	 notify_retry_max;
	long long	 notify_max_age;
};

/*
 * Parses a configuration held in buf.  path is the file's name, used in
 * errors and to resolve relative paths.  Returns 1, or 0 with err set.
 */
int	 conf_parse(const char *buf, size_t sz, const char *path,
	    struct conf *, struct es_err *);
int	 conf_load(const char *path, struct conf *, struct es_err *);
void	 conf_free(struct conf *);

/* ------------------------------------------------------------- clients.c */

struct redir {
	const char	*uri;		/* exactly as registered */
	size_t		 sz;
	const char	*csp;		/* CSP source for form-action */
};

struct client {
	const char	*id;
	size_t		 idsz;
	const char	*name;		/* client_name, or NULL */
	struct redir	*uris;
	size_t		 urisz;
	const char	*bcl_uri;	/* backchannel_logout_uri, or NULL */
	int		 bcl_session;	/* backchannel_logout_session_required */
	int		 id_alg;	/* id_token_signed_response_alg
					 * (enum alg), default RS256 */
};

/* The registrations of one clients file: opaque, built by clients.c. */
struct registry;

/* Parses a clients file held in buf; path is used in errors. */
struct registry	*clients_parse(const char *buf, size_t sz, const char *path,
		    struct es_err *);
struct registry	*clients_load(const char *path, struct es_err *);
const struct client *clients_find(const struct registry *, const char *,
		    size_t);
/* The registered URI equal, byte for byte, to uri; or NULL. */
const struct redir *client_redir(const struct client *, const char *,
		    size_t);
/* Writes "N clients, N post-logout redirect URIs", for --check. */
void		 clients_describe(const struct registry *, struct buf *);
/* How many clients, and the i-th (i below the count), for walking them. */
size_t		 clients_count(const struct registry *);
const struct client *clients_at(const struct registry *, size_t i);
void		 clients_free(struct registry *);

/* ---------------------------------------------------------------- jwks.c */

enum alg {
	ALG_RS256,
	ALG_RS384,
	ALG_RS512,
	ALG_PS256,
	ALG_PS384,
	ALG_PS512,
	ALG_ES256,
	ALG_ES384,
	ALG_ES512,
	ALG_EDDSA,
	ALG__MAX
};

extern const char *const alg_names[ALG__MAX];

/* The algorithm named exactly (case-sensitively) by s, or ALG__MAX. */
enum alg	 alg_find(const char *s, size_t sz);

/*
 * A public key of the keys file and the set of them: opaque, built by
 * jwks.c (their insides are in keys.h, for jwks.c and sign.c alone, so
 * that no other module sees OpenSSL's types).
 */
struct key;
struct keyset;

/*
 * How hard to look at RSA keys: FAST checks size, parity and exponent;
 * FULL adds OpenSSL's public key check (SP 800-56B, a primality test of
 * the modulus: about 3 ms per key), for --check and so for the refresh
 * script, not for every process start.
 */
enum jwks_check {
	JWKS_FAST,
	JWKS_FULL,
};

struct keyset	*jwks_parse(const char *buf, size_t sz, const char *path,
		    enum jwks_check, struct es_err *);
struct keyset	*jwks_load(const char *path, enum jwks_check,
		    struct es_err *);
void		 jwks_free(struct keyset *);
/*
 * The key a JWS names: by kid (kidsz bytes) when kid is not NULL; without
 * one, the only key that allows alg (NULL when none or several do).  The
 * caller still checks that the key allows alg.
 */
const struct key *jwks_pick(const struct keyset *, const char *kid,
		    size_t kidsz, enum alg);
/* Writes "kid (alg alg ...)" descriptions of the keys, for --check. */
void		 jwks_describe(const struct keyset *, struct buf *);
/* How many keys, how many JWKs were skipped, and the i-th key. */
size_t		 jwks_count(const struct keyset *);
size_t		 jwks_skipped(const struct keyset *);
const struct key *jwks_key(const struct keyset *, size_t i);
/* A key's kid (NULL when it has none), and whether it allows alg. */
const char	*key_kid(const struct key *);
int		 key_allows(const struct key *, enum alg);

/*
 * Verifies sig over data with key k under alg, which the caller has
 * checked k allows.  ECDSA signatures are JOSE R||S.  Returns 1 if valid.
 */
int		 jws_verify(const struct key *k, enum alg alg,
		    const unsigned char *data, size_t datasz,
		    const unsigned char *sig, size_t sigsz);

/* ---------------------------------------------------------------- hint.c */

enum hint_res {
	HINT_VALID,
	HINT_FORM,		/* not three strict base64url segments */
	HINT_HEADER,		/* header not a JSON object, or bad members */
	HINT_ALG,		/* alg missing, unknown, none or HS* */
	HINT_TOKEN_KEY,		/* jwk, jku, x5u, x5c or crit in the header */
	HINT_TYP,		/* typed as another kind of token */
	HINT_KID,		/* no key with that kid, or no single key fits */
	HINT_ALG_KEY,		/* the key does not allow that alg */
	HINT_SIG,		/* signature does not verify */
	HINT_CLAIMS,		/* payload not a JSON object, or bad types */
	HINT_ISS,
	HINT_AUD,		/* no audience is a registered client */
	HINT_IAT_FUTURE,
	HINT_IAT_OLD,		/* iat missing or older than hint_max_age */
	HINT_NBF,
	HINT_EVENTS,		/* a logout token */
	HINT__MAX
};

extern const char *const hint_res_names[HINT__MAX];

/* What a hint check needs to know. */
struct hint_ctx {
	const struct keyset	*keys;
	const struct registry	*reg;
	const char		*issuer;
	long long		 clock_skew;
	long long		 max_age;
};

/* The claims of a valid hint; strings live in the caller's arena. */
struct hint {
	const char	*sub;
	const char	*sid;
	const char	*azp;
	const char	**aud;
	size_t		 audsz;
	int64_t		 iat;
	const struct client *client;	/* aud, or azp when aud names several */
};

enum hint_res	 hint_check(const struct hint_ctx *, const char *tok,
		    size_t toksz, time_t now, struct arena *, struct hint *);

/* --------------------------------------------------------------- token.c */

/*
 * The confirmation form's token: base64url(expiry || HMAC-SHA256(secret,
 * fields)), binding every field the form carries, the browser's
 * session cookie and the confirm cookie the page set.  Stateless, so any process holding the secret checks it.
 */
#define TOKEN_RAWSZ	(8 + 32)
#define TOKEN_SZ	54		/* b64url of TOKEN_RAWSZ */

struct token_key;

struct token_fields {
	struct val	client_id;
	struct val	plru;
	struct val	state;
	struct val	ui_locales;
	struct val	browser_sid;
	struct val	cookie;		/* the CONFIRM_COOKIE value */
};

enum token_res {
	TOKEN_OK,
	TOKEN_MISSING,
	TOKEN_BAD,		/* not ours, or fields changed */
	TOKEN_EXPIRED,
	TOKEN__MAX
};

struct token_key *token_key_new(const unsigned char *secret, size_t sz);
void		 token_key_free(struct token_key *);
int		 token_mint(const struct token_key *, const struct token_fields *,
		    time_t expiry, char out[TOKEN_SZ + 1]);
enum token_res	 token_check(const struct token_key *,
		    const struct token_fields *, const char *tok, size_t toksz,
		    time_t now);

/* -------------------------------------------------------------- decide.c */

enum outcome {
	OUT_REDIRECT,		/* R */
	OUT_SIGNED_OUT,		/* S */
	OUT_CONFIRM,		/* C */
	OUT_ERROR,		/* E */
	OUT_STAYED,		/* "stay signed in" chosen */
	OUT_METHOD,		/* 405 */
	OUT__MAX
};

/* Why outcome E. */
enum reason {
	WHY_NONE,
	WHY_MALFORMED,
	WHY_TOO_LARGE,
	WHY_CLIENT_UNKNOWN,
	WHY_CLIENT_NOT_AUD,
	WHY_URI_NOT_REGISTERED,
	WHY_URI_NO_CLIENT,
	WHY_TOKEN_BAD,
	WHY_TOKEN_EXPIRED,
	WHY_CROSS_SITE,
	WHY_HINT_IN_CONFIRM,
	WHY_CONFIRM_GET,
	WHY_FOREIGN_ORIGIN,	/* a confirmation with another site's Origin */
	WHY_NO_COOKIE,		/* a confirmation without the confirm cookie */
	WHY_UNRECORDED,		/* 503: notifications on, journal not written */
	WHY__MAX
};

extern const char *const reason_names[WHY__MAX];

enum via {
	VIA_HINT,
	VIA_CONFIRMATION,
};

/*
 * Everything a decision and a page need besides the request and the
 * clock: the configuration and the files it names, as loaded (state.c
 * loads it and swaps in new copies; decide and render only read it).
 */
struct world {
	struct conf		 conf;
	struct registry		*reg;
	struct keyset		*keys;
	struct token_key	*tkey;
	struct tmplset		*tmpl;
};

struct decision {
	enum outcome		 out;
	enum reason		 why;
	enum hint_res		 hint;	/* when a hint was given */
	int			 hint_given;
	const struct client	*client;
	const struct redir	*redir;	/* R: where to; C: where after */
	int			 signout;
	enum via		 via;
	const char		*sub;	/* for the journal */
	const char		*sid;
	/*
	 * The request's state and ui_locales as decided: decoded when the
	 * form posted them base64url-encoded.  The Location and the page
	 * use these, never the request's raw fields.
	 */
	struct val		 state;
	struct val		 ui_locales;
	struct token_fields	 form;	/* C: the fields the form carries */
	char			 token[TOKEN_SZ + 1]; /* C: the form's token */
	char			 cookie[NONCE_B64SZ + 1]; /* C: CONFIRM_COOKIE */
};

/*
 * Decides the outcome of r at time now (docs/design.md section 7).  What
 * it decodes on the way (the hint's segments, fields the form posted
 * base64url-encoded) goes into ar, which must outlive d.
 */
void	 decide(const struct world *, const struct req *r, time_t now,
	    struct arena *ar, struct decision *d);

/* ---------------------------------------------------------------- html.c */

/* HTML text and double-quoted attribute values: & < > " ' escaped. */
void	 html_esc(struct buf *, const char *, size_t);
/* A URL query component: all but unreserved (RFC 3986) percent-encoded. */
void	 url_esc(struct buf *, const char *, size_t);
/*
 * A JSON string's contents (RFC 8259), for the journal: pure ASCII, every
 * other character as \uXXXX (a surrogate pair above U+FFFF).
 */
void	 json_esc(struct buf *, const char *, size_t);
/*
 * Text for a terminal or a log line: printable ASCII kept ('\\' doubled),
 * other characters as \uXXXX or \UXXXXXXXX, control and invalid bytes
 * as \xHH.  The result holds no control character and no non-ASCII.
 */
void	 log_esc(struct buf *, const char *, size_t);

/*
 * log.c: one diagnostic line with a format, escaped (log_esc), cut at
 * LIM_LOG_LINE bytes.  It goes to stderr after the program's name
 * (log_init; default "endsession"), or to the sink set with log_to (NULL:
 * stderr again), e.g. the current FastCGI request's error stream.
 */
typedef void	 (*log_sink)(void *arg, const char *prog, const char *line);
void	 log_init(const char *prog);
void	 log_to(log_sink, void *arg);
void	 log_warnx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* ---------------------------------------------------------------- tmpl.c */

enum page {
	PAGE_CONFIRM,
	PAGE_SIGNED_OUT,
	PAGE_ERROR,
	PAGE_STAYED,
	PAGE__MAX
};

enum locale {
	LOC_EN,
	LOC_SV,
	LOC__MAX
};

extern const char *const locale_names[LOC__MAX];

/* Placeholders {{name}}; sections {{#name}}...{{/name}} show when set. */
enum tvar {
	TV_LANG,		/* the page's language tag */
	TV_ACTION,		/* the endpoint's path (form action, links) */
	TV_CONFIRM_FIELDS,	/* hidden inputs of the sign-out form (HTML) */
	TV_CANCEL_FIELDS,	/* hidden inputs of the stay form (HTML) */
	TV_CLIENT_NAME,		/* the client's name or id */
	TV_MESSAGE,		/* the error, in plain words */
	TV_STYLE,		/* templates/style.css, shared by every page */
	TV__MAX
};

extern const char *const tvar_names[TV__MAX];

struct tmplset;

/* A value: text is HTML-escaped when substituted; html is inserted as is. */
struct tval {
	const char	*p;
	size_t		 sz;
	int		 html;
};

struct tmplset	*tmpl_load(const char *dir, struct es_err *);
int		 tmpl_render(const struct tmplset *, enum locale, enum page,
		    const struct tval vals[TV__MAX], struct buf *);
void		 tmpl_free(struct tmplset *);

/* -------------------------------------------------------------- locale.c */

/* ui_locales first (space-separated, first supported wins), then
 * Accept-Language (highest q), else English. */
enum locale	 locale_pick(const char *ui_locales, const char *accept_language);

/* -------------------------------------------------------------- render.c */

/*
 * Writes the whole CGI response for d (Status, headers, body) to out.
 * Every header value is checked free of CR, LF and NUL.  Returns 0 on
 * failure (out of memory or a refused header), then a 500 is due.
 */
int	 render(const struct world *, const struct req *,
	    const struct decision *, struct buf *out);
/* The error page's message for a reason, in a locale (never NULL). */
const char *render_message(enum locale, enum reason);
/* A plain 500 response, for when render fails or no state is loaded. */
void	 render_500(struct buf *out);

/* The journal line (docs/design.md section 8) for a sign-out, with "\n". */
int	 journal_line(const struct req *, const struct decision *,
	    time_t now, struct buf *out);

/* -------------------------------------------------------------- state.c */

/*
 * The loaded world and the watcher of its files (what each looked like
 * when last loaded, and when last refused): opaque.
 */
struct state;

/*
 * Loads the configuration and every file it names.  Returns the new
 * state, or NULL with err set.
 */
struct state	*state_load(const char *confpath, enum jwks_check,
		    struct es_err *);
/* What decide and render read; it changes only in state_refresh. */
const struct world *state_world(const struct state *);
/*
 * Reloads whatever changed on disk since the last look (stat: device,
 * inode, size, mtime, ctime).  A file that fails to load is reported
 * (log_warnx, one line) and the last good copy stays.  Returns the
 * number of files reloaded.
 */
int		 state_refresh(struct state *);
/*
 * For a long-running process, before the sandbox: follow the files with
 * inotify, so that state_refresh stats them only after an event for one
 * of them (and once a second regardless).  Returns 0 when it cannot;
 * state_refresh then stats every file every time, as without it.
 */
int		 state_follow(struct state *);
/*
 * Whether the journal at path may have been rotated, removed or replaced
 * since the last call, so that a writer holding it open must look (stat)
 * before its next line: 0 only while state_follow watches that very name
 * and no event named it since the last call; 1 once a second regardless
 * (now), and always without inotify.  An event that comes between the
 * last state_refresh and a write is seen by the next request; the
 * notifier reads a file renamed away for a second more for that reason.
 */
int		 state_journal_moved(struct state *, const char *path,
		    time_t now);
void	 state_free(struct state *);

/* ------------------------------------------------------------- sandbox.c */

/*
 * The journal is opened with these flags and nothing else: append (no
 * write can clear O_APPEND: the filter refuses fcntl F_SETFL), create
 * when log rotation moved it away.  The seccomp filter lets no other
 * open for writing through.  Needs <fcntl.h>.
 */
#define JOURNAL_OFLAGS	(O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY)
#define JOURNAL_MODE	0640
/* Seconds between two error-log lines naming refused system calls. */
#define SANDBOX_REPORT_SEC	60
/*
 * Seconds a FastCGI connection may go without a step (accepted, request
 * read, answer finished; main.c wd_tick, a once-a-second timer): a local
 * process that connects and sends nothing, or dribbles, frees the child
 * after this (plus up to a second).
 */
#define FCGI_RECV_TIMEOUT	10

enum sandbox_res {
	SANDBOX_ON,		/* in force (why: a note, or NULL) */
	SANDBOX_OFF,		/* turned off on purpose (why says how) */
	SANDBOX_FAILED,		/* could not be entered (why says why) */
};

/*
 * Restricts the process to the paths of c (Landlock: read beneath the
 * folders of the configuration, clients, keys, secret and templates,
 * write beneath the journal's folder) and to the system calls serving
 * needs (seccomp): dangerous calls kill the process, unknown ones fail
 * with ENOSYS and are kept for sandbox_report.
 */
enum sandbox_res sandbox_enter(const struct conf *c, const char **why);
/*
 * When the filter refused system calls since the last report and the
 * last one is SANDBOX_REPORT_SEC old, writes one line naming them into
 * msg and returns 1; else 0.
 */
int	 sandbox_report(time_t now, char *msg, size_t sz);

/* ---------------------------------------------------------------- addr.c */

/*
 * IP addresses and CIDR blocks (notify_allow), and which addresses are
 * special-purpose (RFC 6890 and the IANA registries: loopback, private,
 * link-local, shared, documentation, multicast, reserved...).  IPv4 is
 * held as an IPv4-mapped IPv6 address.
 */
struct cidr {
	unsigned char	 a[16];
	int		 bits;		/* prefix length over the 128 bits */
};

/*
 * Parses space-separated addresses and CIDR blocks into out (at most
 * LIM_ALLOW).  Returns 1, or 0 with *bad pointing at the bad word.
 */
int	 addr_parse_list(const char *, struct cidr *out, size_t *n,
	    const char **bad);
/* Parses one literal address (no brackets) into a[16]; 1 if valid. */
int	 addr_parse(const char *, size_t, unsigned char a[16]);
/* Whether a is loopback, private, link-local or otherwise special. */
int	 addr_special(const unsigned char a[16]);
/* Whether a is inside one of the n blocks. */
int	 addr_in(const unsigned char a[16], const struct cidr *, size_t n);
/* Whether a may be connected to: not special, or inside allow. */
int	 addr_allowed(const unsigned char a[16], const struct cidr *allow,
	    size_t n);
/* From a struct sockaddr (AF_INET, AF_INET6); 0 for other families. */
int	 addr_from_sa(const void *sa, size_t salen, unsigned char a[16]);

/* --------------------------------------------------------------- jline.c */

/* A journal line the notifier acts on (design.md sections 8 and 10). */
enum jevent {
	JE_LOGOUT,
	JE_LOGIN,
	JE_OTHER,		/* another event: skipped */
	JE_BAD,			/* not a journal line: logged, skipped */
};

struct jline {
	enum jevent	 ev;
	time_t		 time;		/* -1 when absent */
	const char	*client_id;	/* each NULL when absent or empty */
	const char	*sub;
	const char	*sid;
	const char	*session;
};

/*
 * Parses one line (without its newline); strings live in ar.  A line
 * that is not a JSON object, or whose members have the wrong types, is
 * JE_BAD with why set.  A login line needs client_id and sid.
 */
enum jevent	 jline_parse(struct arena *, const char *, size_t,
		    struct jline *, const char **why);
/* "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC) to seconds; -1 if not that. */
time_t		 jline_time(const char *, size_t);
/* The same format, into ts[21]. */
int		 jline_fmt_time(time_t, char ts[21]);

/* ---------------------------------------------------------------- sign.c */

/* The provider's private signing keys (signing_key): opaque, as above. */
struct skey;
struct signer;

/*
 * Parses a private JWK or JWK Set.  When pub is not NULL, each key's
 * public part must be a key of pub (the keys file), whose kid it takes
 * when it has none.  Returns NULL with err set.
 */
struct signer	*sign_parse(const char *buf, size_t sz, const char *path,
		    const struct keyset *pub, struct es_err *);
struct signer	*sign_load(const char *path, const struct keyset *pub,
		    struct es_err *);
void		 sign_free(struct signer *);
/*
 * The key and algorithm for a client whose ID Tokens use alg: the key
 * named kid when kid is not NULL (then its own algorithm when it does
 * not allow alg), else the first key that allows alg.  NULL if none.
 */
const struct skey *sign_pick(const struct signer *, const char *kid,
		    enum alg alg, enum alg *use);
/* How many keys; the i-th; a key's kid (NULL: none) and its kty. */
size_t		 sign_count(const struct signer *);
const struct skey *sign_key(const struct signer *, size_t i);
const char	*skey_kid(const struct skey *);
const char	*skey_kty(const struct skey *);
/* Signs data; ECDSA as JOSE R||S.  The signature goes to sig (malloc'd). */
int		 sign_data(const struct skey *, enum alg, const void *data,
		    size_t datasz, unsigned char **sig, size_t *sigsz);

/* -------------------------------------------------------------- ltoken.c */

#define LTOKEN_EVENT	"http://schemas.openid.net/event/backchannel-logout"
#define LTOKEN_JTI_SZ	22		/* base64url of 16 random bytes */

struct ltoken_in {
	const char	*iss;
	const char	*aud;		/* the client_id */
	const char	*sub;		/* either may be NULL, not both */
	const char	*sid;
	time_t		 iat;
};

/*
 * Appends the compact JWS of a logout token (Back-Channel Logout 1.0
 * section 2.4) signed by k under alg to out; jti gets its fresh jti.
 * Returns 1, or 0 (no sub and no sid, signing failed, out of memory).
 */
int	 ltoken_make(const struct skey *k, enum alg alg,
	    const struct ltoken_in *, char jti[LTOKEN_JTI_SZ + 1],
	    struct buf *out);

/*
 * The retry schedule: the wait in seconds after failed attempt n
 * (1-based), growing from 1 s and never more than max.
 */
long long	 notify_backoff(unsigned n, long long max);

/* -------------------------------------------------------------- nstate.c */

/*
 * The notifier's state in SQLite (WAL): where the journal was read to,
 * who signed in where, and every notification with its state.  A
 * journal line's effects and the new read position go in one
 * transaction (nstate_begin ... nstate_commit).
 */
enum nout {
	NO_PENDING,
	NO_DELIVERED,
	NO_FAILED,
	NO_BLOCKED,
	NO_EXPIRED,
	NO_RETRY,		/* an attempt's outcome only, never a state */
	NO__MAX
};

extern const char *const nout_names[NO__MAX];

/* A journal position: the file (device, inode) and the byte offset. */
struct jpos {
	uint64_t	 dev;
	uint64_t	 ino;
	int64_t		 off;
};

/* A notification due for an attempt; strings owned by the caller's arena. */
struct nrow {
	int64_t		 id;
	const char	*client_id;
	const char	*sid;
	const char	*sub;
	const char	*uri;
	time_t		 time;		/* of the sign-out */
	unsigned	 attempts;	/* made before this one */
};

struct ncounts {
	long long	 n[NO__MAX];	/* by state (NO_RETRY unused) */
	long long	 oldest_pending; /* seconds since its sign-out, or 0 */
	long long	 logins;
};

struct nstate;

struct nstate	*nstate_open(const char *path, struct es_err *);
void		 nstate_close(struct nstate *);
int		 nstate_begin(struct nstate *);
int		 nstate_commit(struct nstate *);
void		 nstate_rollback(struct nstate *);
/* The saved position; 0 when there is none yet (then *p is zero). */
int		 nstate_pos_get(struct nstate *, struct jpos *);
int		 nstate_pos_set(struct nstate *, const struct jpos *);
/* Records a login line; t is its time. */
int		 nstate_login(struct nstate *, const struct jline *, time_t t);
/*
 * Works out who is notified for a sign-out line (design.md section 10),
 * records one pending notification per client to tell (due at once) and
 * forgets the ended sessions' logins.  key names the sign-out (its
 * journal position); logins older than t - max_login_age are ignored.
 * Returns the number of notifications, 0 with *why set when nobody is
 * told, -1 on a database error.
 */
int		 nstate_logout(struct nstate *, const struct jline *,
		    const char *key, time_t t, const struct registry *,
		    long long max_login_age, const char **why);
/*
 * Calls fn for up to max pending notifications due at now_ms, earliest
 * first, until fn returns 0: those to uri, or to any URI when uri is
 * NULL.  Returns how many fn saw, -1 on a database error.
 */
typedef int	 (*nrow_fn)(void *arg, const struct nrow *);
int		 nstate_due(struct nstate *, int64_t now_ms, size_t max,
		    const char *uri, struct arena *, nrow_fn fn, void *arg);
/*
 * The first URI after `after' (in byte order; "" for the first of all)
 * with a pending notification, due or not, copied into the arena: 1 with
 * *uri set, 0 when there is none, -1 on a database error.  One index
 * seek, however many notifications wait for the URIs passed over.
 */
int		 nstate_next_uri(struct nstate *, const char *after,
		    struct arena *, const char **uri);
/* The earliest due time of a pending notification (ms), or -1. */
int64_t		 nstate_next_due(struct nstate *);
/* An attempt starts: attempts + 1, not due again before due_ms. */
int		 nstate_attempt(struct nstate *, int64_t id, int64_t due_ms);
/* An attempt's end: o is the new state, or NO_RETRY with due_ms. */
int		 nstate_finish(struct nstate *, int64_t id, enum nout o,
		    int status, int64_t due_ms, time_t now);
int		 nstate_counts(struct nstate *, time_t now, struct ncounts *);
/* Forgets finished notifications and logins older than their keep. */
int		 nstate_prune(struct nstate *, time_t now, long long login_age);
/*
 * The delivery log's lines of a pass, kept with the outcomes they tell
 * (put, inside the pass's transaction) until the next pass has written
 * them (clear, inside the next transaction); get appends what is kept to
 * b: at a start, the lines a crash may have kept from the log.
 */
int		 nstate_logq_put(struct nstate *, const char *, size_t);
int		 nstate_logq_clear(struct nstate *);
int		 nstate_logq_get(struct nstate *, struct buf *b);
const char	*nstate_errmsg(struct nstate *);

/* ------------------------------------------------------------- jfollow.c */

/*
 * Follows the journal: reads complete lines from a saved position, wakes
 * on inotify (the caller polls jf_fd), leaves a line without its final
 * newline until the newline comes, and reads a journal renamed away (log
 * rotation; also found as "PATH.1" after a restart) to its end before
 * the new one.
 */
struct jfollow;

/*
 * fn gets each complete line (without the newline) and the position
 * just past it; line NULL means a line over LIM_JLINE_SZ was skipped.
 * It returns 0 to fail the read.
 */
typedef int	 (*jline_fn)(void *arg, const char *line, size_t sz,
		    const struct jpos *after);
/*
 * settle_ms: how long a file renamed away is still read for a writer
 * that held it (0 in --once runs: the switch is immediate); the first
 * line of the new file waits that long (see jf_settle_left).
 */
struct jfollow	*jf_open(const char *path, const struct jpos *start,
		    int settle_ms, struct es_err *);
int		 jf_fd(const struct jfollow *);
/* Empties the inotify queue; 1 when anything happened. */
int		 jf_drain(struct jfollow *);
/*
 * Milliseconds until a file renamed away may be left for the new one (0:
 * now, on the next jf_read), or -1 when no rotation is under way.
 */
long		 jf_settle_left(const struct jfollow *);
/*
 * Hands at most max complete lines to fn.  Returns how many, or -1 on
 * an error (or when fn failed).  *pos is the position past the last
 * line handed out, or the start of a new file once switched to it.
 */
int		 jf_read(struct jfollow *, size_t max, jline_fn fn, void *arg,
		    struct jpos *pos);
void		 jf_close(struct jfollow *);

/* -------------------------------------------------------------- ncheck.c */

/*
 * Whether a backchannel_logout_uri may be posted to: https, or http to a
 * literal address inside allow.  why says what is wrong.
 */
int	 bcl_uri_ok(const char *uri, const struct cidr *allow, size_t n,
	    const char **why);
/*
 * What "--check" checks of notifications (design.md section 10), for
 * both programs: notify_allow, every backchannel_logout_uri, and, when
 * the signing key can be read (always when need_key), the key and a key
 * for every client's algorithm.  Appends one summary line per item to
 * out.  Returns 1, or 0 with err set.  Nothing to do without signing_key.
 */
int	 notify_check(const struct conf *, const struct registry *,
	    const struct keyset *, int need_key, struct buf *out,
	    struct es_err *);

/* ------------------------------------------------------------- deliver.c */

/*
 * POSTs logout tokens with libcurl's multi interface: many in flight on
 * one thread, each with its own timeout, redirects never followed, TLS
 * verified, and every address checked at the moment of connecting.
 */
struct deliver;

struct dv_result {
	int64_t		 id;
	enum nout	 out;		/* DELIVERED, RETRY, FAILED or BLOCKED */
	int		 status;	/* HTTP status, 0 without an answer */
	char		 error[256];	/* "" when there is nothing to say */
};

typedef void	 (*dv_fn)(void *arg, const struct dv_result *);

struct deliver	*dv_new(long timeout_s, const struct cidr *allow,
		    size_t nallow);
void		 dv_free(struct deliver *);
/*
 * Takes a place for attempt id to uri (which bcl_uri_ok passed) while its
 * token is signed: it counts as in flight (dv_inflight, dv_inflight_uri)
 * from now on.  Returns 0 only when out of memory.
 */
int		 dv_add(struct deliver *, int64_t id, const char *uri);
/*
 * Starts the POST of body for a place dv_add took.  On 0 (out of memory,
 * or no such place) the place is given back.
 */
int		 dv_send(struct deliver *, int64_t id, const char *body,
		    size_t bodysz);
/* Gives back a place that will not be sent (its token failed). */
void		 dv_drop(struct deliver *, int64_t id);
size_t		 dv_inflight(const struct deliver *);
size_t		 dv_inflight_uri(const struct deliver *, const char *uri);
/*
 * Waits up to ms for the network or one of nfds (at most 4) readable fds
 * (-1 entries are skipped) to be ready.
 */
int		 dv_wait(struct deliver *, const int *fds, size_t nfds, int ms);
/* Moves the transfers along; fn gets each finished one.  0 on error. */
int		 dv_run(struct deliver *, dv_fn fn, void *arg);

/* ------------------------------------------------------------ nsandbox.c */

/*
 * The notifier's seccomp filter, entered once it is loaded and before
 * its threads start: exec, new processes (clone without CLONE_THREAD),
 * ptrace and other processes' memory, signals to others, privileges,
 * namespaces and mounts, bpf, io_uring, keyrings and modules kill the
 * process; everything else passes (a deny-list: see nsandbox.c).  Also
 * not dumpable.  Off under AddressSanitizer and with ENDSESSION_SANDBOX=0.
 */
enum sandbox_res nsandbox_enter(const char **why);

/* --------------------------------------------------------------- signq.c */

/*
 * Logout tokens signed on threads of their own, so that signing overlaps
 * everything else the notifier does.  sq_put copies what it needs; the
 * key must outlive the queue.  Finished jobs come back through sq_take,
 * which the main thread calls when sq_fd is readable: in queued order
 * with one thread, in finishing order with more.  Only the main thread
 * calls these.
 */
struct signq;

#define SQ_MAX_THREADS	8

typedef void	 (*sq_fn)(void *arg, int64_t id, int ok,
		    const char *jti, const char *body, size_t bodysz);

/* Starts nthreads (1 to SQ_MAX_THREADS) signing threads; NULL on failure. */
struct signq	*sq_new(size_t nthreads);
/* Stops the thread; jobs not taken back are dropped. */
void		 sq_free(struct signq *);
/* Queues ltoken_make(k, alg, in) for attempt id; the body gets
 * "logout_token=" first.  0 when out of memory. */
int		 sq_put(struct signq *, int64_t id, const struct skey *k,
		    enum alg alg, const struct ltoken_in *in);
int		 sq_fd(const struct signq *);
/* Jobs queued and not yet taken back. */
size_t		 sq_pending(const struct signq *);
/* Hands every finished job to fn (ok 0: signing failed); returns how
 * many. */
size_t		 sq_take(struct signq *, sq_fn fn, void *arg);

#endif /* !ENDSESSION_H */
