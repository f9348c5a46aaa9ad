/*
 * clients.c - the client registrations file (docs/design.md section 4) and the
 * registry built from it: a hash table from client_id to the client's
 * name and registered post_logout_redirect_uris.  A duplicate client_id,
 * a client without one, or a redirect URI that is not an absolute URI
 * (RFC 3986, checked with uriparser) or holds a fragment makes the whole
 * file invalid.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uriparser/Uri.h>

#include "endsession.h"

struct registry {
	struct arena	 ar;
	struct client	*clients;
	size_t		 n;
	uint32_t	*table;		/* open addressing: index+1, 0 free */
	size_t		 tabsz;		/* power of two */
};

static uint64_t
hash(const char *s, size_t sz)
{
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */
	size_t		 i;

	for (i = 0; i < sz; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

const struct client *
clients_find(const struct registry *reg, const char *id, size_t sz)
{
	size_t		 mask, i;
	uint32_t	 slot;
	const struct client *c;

	if (reg == NULL || reg->tabsz == 0)
		return NULL;
	mask = reg->tabsz - 1;
	for (i = hash(id, sz) & mask; (slot = reg->table[i]) != 0;
	    i = (i + 1) & mask) {
		c = &reg->clients[slot - 1];
		if (c->idsz == sz && memcmp(c->id, id, sz) == 0)
			return c;
	}
	return NULL;
}

/* Exact, byte-for-byte comparison: no normalisation of any kind. */
const struct redir *
client_redir(const struct client *c, const char *uri, size_t sz)
{
	size_t	 i;

	if (c == NULL)
		return NULL;
	for (i = 0; i < c->urisz; i++)
		if (c->uris[i].sz == sz && memcmp(c->uris[i].uri, uri, sz) == 0)
			return &c->uris[i];
	return NULL;
}

/*
 * The CSP source that lets the confirmation form's 303 reach uri
 * (browsers apply form-action to the redirect after a submission):
 * "scheme://host[:port]" for a hierarchical URI with plain characters,
 * else just "scheme:".
 */
static const char *
csp_source(struct arena *ar, const UriUriA *u, const char *uri)
{
	const char	*end, *p, *lim = uri + strlen(uri);
	size_t		 ssz = (size_t)(u->scheme.afterLast - u->scheme.first);

	/*
	 * An empty host ("https:///cb") is a pointer into uriparser's own
	 * constants, not into uri: only a host inside uri counts.
	 */
	if (u->hostText.first != NULL && u->userInfo.first == NULL &&
	    u->hostText.first >= uri && u->hostText.afterLast <= lim) {
		if (u->portText.first != NULL)
			end = u->portText.afterLast;
		else if (u->hostData.ip6 != NULL ||
		    u->hostData.ipFuture.first != NULL)
			end = u->hostText.afterLast + 1;	/* the ']' */
		else
			end = u->hostText.afterLast;
		if (end > lim)
			end = uri;
		for (p = uri; p < end; p++)
			if (!isalnum((unsigned char)*p) &&
			    strchr("+-.:/[]", *p) == NULL)
				break;
		if (p == end)
			return arena_strndup(ar, uri, (size_t)(end - uri));
	}
	for (p = uri; p < u->scheme.afterLast; p++)
		if (!isalnum((unsigned char)*p) && strchr("+-.", *p) == NULL)
			return arena_strndup(ar, "'none'", 6);
	return arena_strndup(ar, uri, ssz + 1);
}

/* Checks one registered URI and fills r; 0 with why set on failure. */
static int
redir_make(struct arena *ar, const struct json *j, struct redir *r,
    const char **why)
{
	UriUriA		 u;
	const char	*err;
	size_t		 i;
	int		 rc = 0;

	if (j->type != JSON_STRING) {
		*why = "not a string";
		return 0;
	}
	if (j->sz == 0 || j->sz > LIM_URI_SZ) {
		*why = "empty, or longer than the URI limit";
		return 0;
	}
	for (i = 0; i < j->sz; i++)
		if ((unsigned char)j->s[i] <= 0x20 ||
		    (unsigned char)j->s[i] >= 0x7f) {
			*why = "holds a space, a control or a non-ASCII "
			    "character (percent-encode it)";
			return 0;
		}
	if (memchr(j->s, '#', j->sz) != NULL) {
		*why = "holds a fragment";
		return 0;
	}
	if (uriParseSingleUriExA(&u, j->s, j->s + j->sz, &err) !=
	    URI_SUCCESS) {
		*why = "not a URI (RFC 3986)";
		return 0;
	}
	if (u.scheme.first == NULL) {
		*why = "not an absolute URI";
		goto out;
	}
	/* Schemes that run code or carry content are no place to return. */
	if ((size_t)(u.scheme.afterLast - u.scheme.first) >= 4 &&
	    (strncasecmp(j->s, "javascript:", 11) == 0 ||
	     strncasecmp(j->s, "data:", 5) == 0 ||
	     strncasecmp(j->s, "vbscript:", 9) == 0)) {
		*why = "a javascript:, data: or vbscript: URI";
		goto out;
	}
	if ((strncasecmp(j->s, "http:", 5) == 0 ||
	     strncasecmp(j->s, "https:", 6) == 0) &&
	    (u.hostText.first == NULL || u.hostText.first == u.hostText.afterLast)) {
		*why = "an http(s) URI without a host";
		goto out;
	}
	r->uri = j->s;		/* the caller copies the string */
	r->sz = j->sz;
	if ((r->csp = csp_source(ar, &u, j->s)) == NULL) {
		*why = "out of memory";
		goto out;
	}
	rc = 1;
out:
	uriFreeUriMembersA(&u);
	return rc;
}

/*
 * Back-Channel Logout 1.0 section 2.2 and OpenID Connect Dynamic Client
 * Registration 1.0 section 2: backchannel_logout_uri (an absolute http(s)
 * URI without a fragment; whether plain http may be used is decided
 * against notify_allow by the notifier), backchannel_logout_session_required
 * and id_token_signed_response_alg.  Returns 0 with *m (the member, or
 * the client) and *why ("member: what is wrong") set.
 */
static int
bcl_members(struct registry *reg, const struct json *o, struct client *c,
    const struct json **m, const char **why)
{
	struct redir	 r;
	const char	*w;

	c->id_alg = ALG_RS256;
	*m = o;
	if ((*m = json_get(o, "backchannel_logout_uri")) != NULL) {
		if (!redir_make(&reg->ar, *m, &r, &w)) {
			(void)w;	/* one message covers every reason */
			*why = "backchannel_logout_uri: not an absolute URI "
			    "without a fragment";
			return 0;
		}
		if (strncasecmp((*m)->s, "https://", 8) != 0 &&
		    strncasecmp((*m)->s, "http://", 7) != 0) {
			*why = "backchannel_logout_uri: not an http(s) URI";
			return 0;
		}
		if ((c->bcl_uri = arena_strndup(&reg->ar, (*m)->s,
		    (*m)->sz)) == NULL) {
			*why = "out of memory";
			return 0;
		}
	}
	if ((*m = json_get(o, "backchannel_logout_session_required")) !=
	    NULL) {
		if ((*m)->type != JSON_TRUE && (*m)->type != JSON_FALSE) {
			*why = "backchannel_logout_session_required: not a "
			    "boolean";
			return 0;
		}
		c->bcl_session = (*m)->type == JSON_TRUE;
	}
	if ((*m = json_get(o, "id_token_signed_response_alg")) != NULL) {
		if ((*m)->type != JSON_STRING ||
		    (c->id_alg = alg_find((*m)->s, (*m)->sz)) == ALG__MAX) {
			*why = "id_token_signed_response_alg: not an "
			    "asymmetric JWS algorithm we sign with";
			return 0;
		}
	}
	*m = o;
	return 1;
}

#define LINE(j) line_of(buf, sz, (j)->off)

/*
 * The members read of a client (OpenID Connect Dynamic Client
 * Registration 1.0 section 2, RP-Initiated Logout 1.0 section 3.1); the
 * rest of its metadata is checked, then skipped.  One line per member.
 */
static const struct json_keep client_keep[] = {
	{ "client_id", NULL },
	{ "client_name", NULL },
	{ "post_logout_redirect_uris", NULL },
	{ "backchannel_logout_uri", NULL },		/* the notifier's */
	{ "backchannel_logout_session_required", NULL },
	{ "id_token_signed_response_alg", NULL },
	{ NULL, NULL }
};

static const struct json_keep file_keep[] = {
	{ "clients", client_keep },
	{ NULL, NULL }
};

struct registry *
clients_parse(const char *buf, size_t sz, const char *path,
    struct es_err *err)
{
	struct arena		 jar = { NULL };
	struct registry		*reg = NULL;
	const struct json	*root, *list, *o, *id, *name, *uris, *m;
	struct client		*c;
	char			 msg[128];
	const char		*why;
	size_t			 erroff, i, k, mask, h;
	int			 rc = 0;

	if ((root = json_parse_keep(&jar, file_keep, buf, sz, &erroff, msg,
	    sizeof(msg))) == NULL) {
		err_set(err, path, line_of(buf, sz, erroff), "%s", msg);
		goto out;
	}
	if ((list = json_get(root, "clients")) == NULL ||
	    list->type != JSON_ARRAY) {
		err_set(err, path, LINE(root),
		    "$.clients: expected an array of clients");
		goto out;
	}
	if (list->sz > LIM_CLIENTS) {
		err_set(err, path, 0, "more than %d clients", LIM_CLIENTS);
		goto out;
	}
	if ((reg = calloc(1, sizeof(*reg))) == NULL)
		goto nomem;
	reg->n = list->sz;
	for (reg->tabsz = 16; reg->tabsz < list->sz * 2; reg->tabsz *= 2)
		continue;
	if ((reg->clients = arena_calloc(&reg->ar, list->sz + 1,
	    sizeof(*reg->clients))) == NULL ||
	    (reg->table = arena_calloc(&reg->ar, reg->tabsz,
	    sizeof(*reg->table))) == NULL)
		goto nomem;
	mask = reg->tabsz - 1;

	for (i = 0; i < list->sz; i++) {
		o = &list->v[i];
		c = &reg->clients[i];
		if (o->type != JSON_OBJECT) {
			err_set(err, path, LINE(o),
			    "$.clients[%zu]: expected an object", i);
			goto out;
		}
		id = json_get(o, "client_id");
		if (id == NULL || id->type != JSON_STRING || id->sz == 0) {
			err_set(err, path, LINE(id != NULL ? id : o),
			    "$.clients[%zu].client_id: missing, empty or not "
			    "a string", i);
			goto out;
		}
		if ((c->id = arena_strndup(&reg->ar, id->s, id->sz)) == NULL)
			goto nomem;
		c->idsz = id->sz;
		if (clients_find(reg, c->id, c->idsz) != NULL) {
			err_set(err, path, LINE(id),
			    "$.clients[%zu].client_id: duplicate client_id", i);
			goto out;
		}
		for (h = hash(c->id, c->idsz) & mask; reg->table[h] != 0;
		    h = (h + 1) & mask)
			continue;
		reg->table[h] = (uint32_t)i + 1;

		if ((name = json_get(o, "client_name")) != NULL) {
			if (name->type != JSON_STRING) {
				err_set(err, path, LINE(name),
				    "$.clients[%zu].client_name: not a string", i);
				goto out;
			}
			if (name->sz > 0 && (c->name = arena_strndup(&reg->ar,
			    name->s, name->sz)) == NULL)
				goto nomem;
		}
		if (!bcl_members(reg, o, c, &m, &why)) {
			err_set(err, path, LINE(m), "$.clients[%zu].%s", i, why);
			goto out;
		}
		if ((uris = json_get(o, "post_logout_redirect_uris")) == NULL)
			continue;
		if (uris->type != JSON_ARRAY) {
			err_set(err, path, LINE(uris), "$.clients[%zu]"
			    ".post_logout_redirect_uris: not an array", i);
			goto out;
		}
		if (uris->sz > LIM_URIS) {
			err_set(err, path, LINE(uris), "$.clients[%zu]"
			    ".post_logout_redirect_uris: more than %d URIs", i,
			    LIM_URIS);
			goto out;
		}
		if ((c->uris = arena_calloc(&reg->ar, uris->sz + 1,
		    sizeof(*c->uris))) == NULL)
			goto nomem;
		for (k = 0; k < uris->sz; k++) {
			if (!redir_make(&reg->ar, &uris->v[k], &c->uris[k],
			    &why)) {
				err_set(err, path, LINE(&uris->v[k]),
				    "$.clients[%zu].post_logout_redirect_uris"
				    "[%zu]: %s", i, k, why);
				goto out;
			}
			if ((c->uris[k].uri = arena_strndup(&reg->ar,
			    c->uris[k].uri, c->uris[k].sz)) == NULL)
				goto nomem;
		}
		c->urisz = uris->sz;
	}
	rc = 1;
	goto out;
nomem:
	err_set(err, path, 0, "out of memory");
out:
	arena_free(&jar);
	if (!rc) {
		clients_free(reg);
		reg = NULL;
	}
	return reg;
}

struct registry *
clients_load(const char *path, struct es_err *err)
{
	struct registry	*reg;
	char		*buf;
	size_t		 sz;

	if (!file_read(path, LIM_CLIENTS_SZ, &buf, &sz, err))
		return NULL;
	reg = clients_parse(buf, sz, path, err);
	free(buf);
	return reg;
}

void
clients_describe(const struct registry *reg, struct buf *b)
{
	size_t	 i, uris = 0;

	for (i = 0; i < reg->n; i++)
		uris += reg->clients[i].urisz;
	buf_addf(b, "%zu clients, %zu post-logout redirect URIs", reg->n,
	    uris);
}

size_t
clients_count(const struct registry *reg)
{
	return reg->n;
}

const struct client *
clients_at(const struct registry *reg, size_t i)
{
	return &reg->clients[i];
}

void
clients_free(struct registry *reg)
{
	if (reg == NULL)
		return;
	arena_free(&reg->ar);
	free(reg);
}
