/*
 * conf.c - the configuration file (docs/design.md section 3): lines of
 * "key = value", '#' comments, blank lines.  Unknown keys, a key given
 * twice, a missing required key and a bad value are errors with the
 * line number; relative paths are relative to the file's folder.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endsession.h"

enum ctype {
	CT_STR,		/* a string, as written */
	CT_PATH,	/* a path, resolved against the file's folder */
	CT_SECS,	/* seconds, from min to max */
	CT_COOKIES,	/* session_cookies: up to LIM_COOKIES names */
	CT_ALLOW,	/* notify_allow: addresses and CIDR blocks */
};

static int	 no_space(const char *);
static int	 cookie_name(const char *);
static int	 domain_ok(const char *);
static int	 path_ok(const char *);

#define OFF(m)	offsetof(struct conf, m)

/*
 * Every key, in one table: its type, where it goes in struct conf,
 * whether it is required, its bounds or check, and the message when the
 * value is refused.  A new key is one line here (and a member of struct
 * conf); conf_free walks the table too.
 */
static const struct ckey {
	const char	*name;
	enum ctype	 type;
	size_t		 off;
	int		 required;
	long long	 def, min, max;		/* CT_SECS */
	int		 (*check)(const char *);	/* CT_STR */
	const char	*bad;
} ckeys[] = {
	{ "issuer", CT_STR, OFF(issuer), 1, 0, 0, 0, no_space,
	    "issuer must not hold spaces" },
	{ "clients", CT_PATH, OFF(clients), 1, 0, 0, 0, NULL, NULL },
	{ "jwks", CT_PATH, OFF(jwks), 1, 0, 0, 0, NULL, NULL },
	{ "secret", CT_PATH, OFF(secret), 1, 0, 0, 0, NULL, NULL },
	{ "templates", CT_PATH, OFF(templates), 0, 0, 0, 0, NULL, NULL },
	{ "session_cookies", CT_COOKIES, OFF(session_cookies), 0, 0, 0, 0,
	    NULL, "session_cookies: expected up to 16 cookie names" },
	{ "sid_cookie", CT_STR, OFF(sid_cookie), 0, 0, 0, 0, cookie_name,
	    "sid_cookie: not a cookie name" },
	{ "cookie_domain", CT_STR, OFF(cookie_domain), 0, 0, 0, 0, domain_ok,
	    "cookie_domain: not a domain name" },
	{ "cookie_path", CT_STR, OFF(cookie_path), 0, 0, 0, 0, path_ok,
	    "cookie_path: must start with '/' and hold no ';' or space" },
	{ "hint_max_age", CT_SECS, OFF(hint_max_age), 0, HINT_MAX_AGE_DEF, 0,
	    HINT_MAX_AGE_MAX, NULL,
	    "hint_max_age: expected seconds, at most ten years" },
	{ "clock_skew", CT_SECS, OFF(clock_skew), 0, CLOCK_SKEW_DEF, 0,
	    CLOCK_SKEW_MAX, NULL,
	    "clock_skew: expected seconds, at most 3600" },
	{ "journal", CT_PATH, OFF(journal), 0, 0, 0, 0, NULL, NULL },
	{ "clients_url", CT_STR, OFF(clients_url), 0, 0, 0, 0, NULL, NULL },
	{ "jwks_uri", CT_STR, OFF(jwks_uri), 0, 0, 0, 0, NULL, NULL },
	{ "signing_key", CT_PATH, OFF(signing_key), 0, 0, 0, 0, NULL, NULL },
	{ "signing_kid", CT_STR, OFF(signing_kid), 0, 0, 0, 0, NULL, NULL },
	{ "notify_state", CT_PATH, OFF(notify_state), 0, 0, 0, 0, NULL, NULL },
	{ "notify_log", CT_PATH, OFF(notify_log), 0, 0, 0, 0, NULL, NULL },
	{ "notify_timeout", CT_SECS, OFF(notify_timeout), 0, NOTIFY_TIMEOUT_DEF,
	    1, NOTIFY_TIMEOUT_MAX, NULL,
	    "notify_timeout: expected seconds, 1 to 300" },
	{ "notify_retry_max", CT_SECS, OFF(notify_retry_max), 0,
	    NOTIFY_RETRY_MAX_DEF, 1, NOTIFY_RETRY_MAX_MAX, NULL,
	    "notify_retry_max: expected seconds, 1 to 86400" },
	{ "notify_max_age", CT_SECS, OFF(notify_max_age), 0,
	    NOTIFY_MAX_AGE_DEF, 1, NOTIFY_MAX_AGE_MAX, NULL,
	    "notify_max_age: expected seconds, 1 to a year" },
	{ "notify_allow", CT_ALLOW, OFF(notify_allow), 0, 0, 0, 0, NULL, NULL },
	{ "notify_metrics", CT_PATH, OFF(notify_metrics), 0, 0, 0, 0, NULL,
	    NULL },
};
#define NCKEYS	(sizeof(ckeys) / sizeof(ckeys[0]))

static char **
str_at(struct conf *c, const struct ckey *k)
{
	return (char **)(void *)((char *)c + k->off);
}

static long long *
secs_at(struct conf *c, const struct ckey *k)
{
	return (long long *)(void *)((char *)c + k->off);
}

/* RFC 6265 cookie-name: an RFC 9110 token. */
static int
cookie_name_ok(const char *s, size_t sz)
{
	size_t	 i;

	if (sz == 0 || sz > LIM_COOKIE_NAME)
		return 0;
	for (i = 0; i < sz; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return 0;
	return 1;
}

static int
cookie_name(const char *s)
{
	return cookie_name_ok(s, strlen(s));
}

static int
no_space(const char *s)
{
	return strpbrk(s, " \t") == NULL;
}

/* A domain for the cookie Domain attribute: letters, digits, '-', '.'. */
static int
domain_ok(const char *s)
{
	size_t	 i, sz = strlen(s);

	if (sz == 0 || sz > LIM_DOMAIN)
		return 0;
	for (i = 0; i < sz; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

/* A cookie Path: '/' then printable ASCII without ';' (RFC 6265 4.1.1). */
static int
path_ok(const char *s)
{
	if (s[0] != '/' || strlen(s) > LIM_COOKIE_PATH)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    *s == ';')
			return 0;
	return 1;
}

/* dir + "/" + rel unless rel is absolute; malloc'd. */
static char *
resolve(const char *dir, const char *rel)
{
	size_t	 sz;
	char	*p;

	if (rel[0] == '/' || dir[0] == '\0')
		return strdup(rel);
	sz = strlen(dir) + 1 + strlen(rel) + 1;
	if ((p = malloc(sz)) == NULL)
		return NULL;
	/* A file in "/" has its neighbours at "/name", not "//name". */
	snprintf(p, sz, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, rel);
	return p;
}

static int
number(const char *v, long long min, long long max, long long *out)
{
	char		*end;
	long long	 n;

	if (!isdigit((unsigned char)v[0]))
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return 0;
	*out = n;
	return 1;
}

/* Splits session_cookies into names; 0 on a bad name. */
static int
session_cookies_parse(struct conf *c, const char *v)
{
	const char	*p = v, *e;
	size_t		 n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ' ' && *e != '\t'; e++)
			continue;
		if (!cookie_name_ok(p, (size_t)(e - p)) || n == LIM_COOKIES)
			return 0;
		if ((c->session_cookies[n] = strndup(p, (size_t)(e - p))) ==
		    NULL)
			return 0;
		n++;
		c->session_cookiesz = n;
		p = e;
	}
	return n > 0;
}

int
conf_parse(const char *buf, size_t sz, const char *path, struct conf *c,
    struct es_err *err)
{
	char			 dir[PATH_MAX], line[LIM_CONF_LINE];
	const char		*p, *nl, *slash, *key, *val;
	char			*eq, *k, *v, *e, *copy;
	const struct ckey	*ck;
	struct cidr		 allow[LIM_ALLOW];
	size_t			 ln = 0, len, i, nallow;
	unsigned char		 seen[NCKEYS];
	int			 rc = 0;

	memset(c, 0, sizeof(*c));
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NCKEYS; i++)
		if (ckeys[i].type == CT_SECS)
			*secs_at(c, &ckeys[i]) = ckeys[i].def;
	if ((c->path = strdup(path)) == NULL ||
	    (c->session_cookies = calloc(LIM_COOKIES, sizeof(char *))) ==
	    NULL) {
		err_set(err, path, 0, "out of memory");
		goto out;
	}
	if ((slash = strrchr(path, '/')) == NULL)
		dir[0] = '\0';
	else if ((size_t)(slash - path) + 1 >= sizeof(dir)) {
		err_set(err, path, 0, "path too long");
		goto out;
	} else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if (dir[0] == '\0')
			strcpy(dir, "/");
	}
	if (memchr(buf, '\0', sz) != NULL || !utf8_valid(buf, sz)) {
		err_set(err, path, 0, "not UTF-8 text");
		goto out;
	}

	for (p = buf; p < buf + sz; p = nl + 1) {
		ln++;
		if ((nl = memchr(p, '\n', (size_t)(buf + sz - p))) == NULL)
			nl = buf + sz;
		len = (size_t)(nl - p);
		if (len >= sizeof(line)) {
			err_set(err, path, ln, "line too long");
			goto out;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		for (k = line; *k == ' ' || *k == '\t'; k++)
			continue;
		if (*k == '#' || *k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			err_set(err, path, ln, "expected \"key = value\"");
			goto out;
		}
		for (e = eq; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			continue;
		*e = '\0';
		for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
			continue;
		for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t');
		    e--)
			continue;
		*e = '\0';
		key = k;
		val = v;

		for (i = 0; i < NCKEYS; i++)
			if (strcmp(key, ckeys[i].name) == 0)
				break;
		if (i == NCKEYS) {
			err_set(err, path, ln, "unknown key \"%.64s\"", key);
			goto out;
		}
		ck = &ckeys[i];
		if (seen[i]) {
			err_set(err, path, ln, "\"%s\" given twice", key);
			goto out;
		}
		seen[i] = 1;
		if (*val == '\0') {
			err_set(err, path, ln, "\"%s\" has no value", key);
			goto out;
		}
		for (e = v; *e != '\0'; e++)
			if ((unsigned char)*e < 0x20) {
				err_set(err, path, ln,
				    "control character in value");
				goto out;
			}

		copy = NULL;
		switch (ck->type) {
		case CT_SECS:
			if (!number(val, ck->min, ck->max, secs_at(c, ck))) {
				err_set(err, path, ln, "%s", ck->bad);
				goto out;
			}
			continue;
		case CT_COOKIES:
			if (!session_cookies_parse(c, val)) {
				err_set(err, path, ln, "%s", ck->bad);
				goto out;
			}
			continue;
		case CT_ALLOW:
			if (!addr_parse_list(val, allow, &nallow, &key)) {
				err_set(err, path, ln, "notify_allow: \"%.64s\" "
				    "is not an IP address or CIDR block (or "
				    "more than %d of them)", key, LIM_ALLOW);
				goto out;
			}
			copy = strdup(val);
			break;
		case CT_STR:
			if (ck->check != NULL && !ck->check(val)) {
				err_set(err, path, ln, "%s", ck->bad);
				goto out;
			}
			copy = strdup(val);
			break;
		case CT_PATH:
			copy = resolve(dir, val);
			break;
		}
		if (copy == NULL) {
			err_set(err, path, ln, "out of memory");
			goto out;
		}
		*str_at(c, ck) = copy;
	}

	for (i = 0; i < NCKEYS; i++)
		if (ckeys[i].required && !seen[i]) {
			err_set(err, path, 0, "required key \"%s\" missing",
			    ckeys[i].name);
			goto out;
		}
	/* Back-Channel Logout: the journal is the queue, the state its cursor. */
	if (c->signing_key != NULL && (c->journal == NULL ||
	    c->notify_state == NULL)) {
		err_set(err, path, 0, "signing_key needs \"journal\" and "
		    "\"notify_state\"");
		goto out;
	}
	if (c->templates == NULL && (c->templates = strdup(TEMPLATEDIR)) ==
	    NULL) {
		err_set(err, path, 0, "out of memory");
		goto out;
	}
	if (c->cookie_path == NULL && (c->cookie_path = strdup("/")) == NULL) {
		err_set(err, path, 0, "out of memory");
		goto out;
	}
	rc = 1;
out:
	if (!rc)
		conf_free(c);
	return rc;
}

int
conf_load(const char *path, struct conf *c, struct es_err *err)
{
	char	*buf;
	size_t	 sz;
	int	 rc;

	memset(c, 0, sizeof(*c));
	if (!file_read(path, LIM_CONF_SZ, &buf, &sz, err))
		return 0;
	rc = conf_parse(buf, sz, path, c, err);
	free(buf);
	return rc;
}

void
conf_free(struct conf *c)
{
	size_t	 i;

	free(c->path);
	for (i = 0; i < NCKEYS; i++)
		if (ckeys[i].type == CT_STR || ckeys[i].type == CT_PATH ||
		    ckeys[i].type == CT_ALLOW)
			free(*str_at(c, &ckeys[i]));
	if (c->session_cookies != NULL)
		for (i = 0; i < c->session_cookiesz; i++)
			free(c->session_cookies[i]);
	free(c->session_cookies);
	memset(c, 0, sizeof(*c));
}
