/*
 * conf.c - the configuration file (docs/design.md section 3): lines of
 * "key = value", '#' comments, blank lines.  Unknown keys, a key given
 * twice, a missing required key and a bad value are errors with the
 * line number; relative paths are relative to the file's folder.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endsession.h"

enum ckey {
	CK_ISSUER,
	CK_CLIENTS,
	CK_JWKS,
	CK_SECRET,
	CK_TEMPLATES,
	CK_SESSION_COOKIES,
	CK_SID_COOKIE,
	CK_COOKIE_DOMAIN,
	CK_COOKIE_PATH,
	CK_HINT_MAX_AGE,
	CK_CLOCK_SKEW,
	CK_JOURNAL,
	CK_CLIENTS_URL,
	CK_JWKS_URI,
	CK_SIGNING_KEY,
	CK_SIGNING_KID,
	CK_NOTIFY_STATE,
	CK_NOTIFY_LOG,
	CK_NOTIFY_TIMEOUT,
	CK_NOTIFY_RETRY_MAX,
	CK_NOTIFY_MAX_AGE,
	CK_NOTIFY_ALLOW,
	CK_NOTIFY_METRICS,
	CK__MAX
};

static const char *const ckey_names[CK__MAX] = {
	"issuer", "clients", "jwks", "secret", "templates",
	"session_cookies", "sid_cookie", "cookie_domain", "cookie_path",
	"hint_max_age", "clock_skew", "journal", "clients_url", "jwks_uri",
	"signing_key", "signing_kid", "notify_state", "notify_log",
	"notify_timeout", "notify_retry_max", "notify_max_age",
	"notify_allow", "notify_metrics",
};

/* RFC 6265 cookie-name: an RFC 9110 token. */
static int
cookie_name_ok(const char *s, size_t sz)
{
	size_t	 i;

	if (sz == 0 || sz > 128)
		return 0;
	for (i = 0; i < sz; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return 0;
	return 1;
}

/* A domain for the cookie Domain attribute: letters, digits, '-', '.'. */
static int
domain_ok(const char *s)
{
	size_t	 i, sz = strlen(s);

	if (sz == 0 || sz > 253)
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
	if (s[0] != '/' || strlen(s) > 1024)
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
number(const char *v, long long max, long long *out)
{
	char		*end;
	long long	 n;

	if (!isdigit((unsigned char)v[0]))
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > max)
		return 0;
	*out = n;
	return 1;
}

/* Splits session_cookies into names; 0 on a bad name. */
static int
cookies(struct conf *c, const char *v)
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
		if (!cookie_name_ok(p, (size_t)(e - p)) || n == 16)
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
	char		 dir[PATH_MAX], line[4096];
	const char	*p, *nl, *slash, *key, *val;
	char		*eq, *k, *v, *e, *copy, **dst;
	struct cidr	 allow[LIM_ALLOW];
	size_t		 ln = 0, len, i, nallow;
	unsigned	 seen = 0;
	int		 rc = 0, rel;

	memset(c, 0, sizeof(*c));
	c->hint_max_age = 2592000;
	c->clock_skew = 60;
	c->notify_timeout = 5;
	c->notify_retry_max = 300;
	c->notify_max_age = 86400;
	if ((c->path = strdup(path)) == NULL ||
	    (c->session_cookies = calloc(16, sizeof(char *))) == NULL) {
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

		for (i = 0; i < CK__MAX; i++)
			if (strcmp(key, ckey_names[i]) == 0)
				break;
		if (i == CK__MAX) {
			err_set(err, path, ln, "unknown key \"%.64s\"", key);
			goto out;
		}
		if (seen & (1u << i)) {
			err_set(err, path, ln, "\"%s\" given twice", key);
			goto out;
		}
		seen |= 1u << i;
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

		/*
		 * Checks first; then one copy into *dst for string keys,
		 * resolved against the file's folder for paths (rel).
		 */
		dst = NULL;
		rel = 0;
		switch (i) {
		case CK_ISSUER:
			if (strpbrk(val, " \t") != NULL) {
				err_set(err, path, ln,
				    "issuer must not hold spaces");
				goto out;
			}
			dst = &c->issuer;
			break;
		case CK_CLIENTS:
			dst = &c->clients;
			rel = 1;
			break;
		case CK_JWKS:
			dst = &c->jwks;
			rel = 1;
			break;
		case CK_SECRET:
			dst = &c->secret;
			rel = 1;
			break;
		case CK_TEMPLATES:
			dst = &c->templates;
			rel = 1;
			break;
		case CK_JOURNAL:
			dst = &c->journal;
			rel = 1;
			break;
		case CK_SESSION_COOKIES:
			if (!cookies(c, val)) {
				err_set(err, path, ln, "session_cookies: "
				    "expected up to 16 cookie names");
				goto out;
			}
			break;
		case CK_SID_COOKIE:
			if (!cookie_name_ok(val, strlen(val))) {
				err_set(err, path, ln,
				    "sid_cookie: not a cookie name");
				goto out;
			}
			dst = &c->sid_cookie;
			break;
		case CK_COOKIE_DOMAIN:
			if (!domain_ok(val)) {
				err_set(err, path, ln,
				    "cookie_domain: not a domain name");
				goto out;
			}
			dst = &c->cookie_domain;
			break;
		case CK_COOKIE_PATH:
			if (!path_ok(val)) {
				err_set(err, path, ln, "cookie_path: must "
				    "start with '/' and hold no ';' or space");
				goto out;
			}
			dst = &c->cookie_path;
			break;
		case CK_HINT_MAX_AGE:
			if (!number(val, 10LL * 366 * 86400,
			    &c->hint_max_age)) {
				err_set(err, path, ln, "hint_max_age: "
				    "expected seconds, at most ten years");
				goto out;
			}
			break;
		case CK_CLOCK_SKEW:
			if (!number(val, 3600, &c->clock_skew)) {
				err_set(err, path, ln, "clock_skew: "
				    "expected seconds, at most 3600");
				goto out;
			}
			break;
		case CK_CLIENTS_URL:
			dst = &c->clients_url;
			break;
		case CK_JWKS_URI:
			dst = &c->jwks_uri;
			break;
		case CK_SIGNING_KEY:
			dst = &c->signing_key;
			rel = 1;
			break;
		case CK_SIGNING_KID:
			dst = &c->signing_kid;
			break;
		case CK_NOTIFY_STATE:
			dst = &c->notify_state;
			rel = 1;
			break;
		case CK_NOTIFY_LOG:
			dst = &c->notify_log;
			rel = 1;
			break;
		case CK_NOTIFY_METRICS:
			dst = &c->notify_metrics;
			rel = 1;
			break;
		case CK_NOTIFY_TIMEOUT:
			if (!number(val, 300, &c->notify_timeout) ||
			    c->notify_timeout == 0) {
				err_set(err, path, ln, "notify_timeout: "
				    "expected seconds, 1 to 300");
				goto out;
			}
			break;
		case CK_NOTIFY_RETRY_MAX:
			if (!number(val, 86400, &c->notify_retry_max) ||
			    c->notify_retry_max == 0) {
				err_set(err, path, ln, "notify_retry_max: "
				    "expected seconds, 1 to 86400");
				goto out;
			}
			break;
		case CK_NOTIFY_MAX_AGE:
			if (!number(val, 366LL * 86400, &c->notify_max_age) ||
			    c->notify_max_age == 0) {
				err_set(err, path, ln, "notify_max_age: "
				    "expected seconds, 1 to a year");
				goto out;
			}
			break;
		case CK_NOTIFY_ALLOW:
			if (!addr_parse_list(val, allow, &nallow, &key)) {
				err_set(err, path, ln, "notify_allow: \"%.64s\" "
				    "is not an IP address or CIDR block (or "
				    "more than %d of them)", key, LIM_ALLOW);
				goto out;
			}
			dst = &c->notify_allow;
			break;
		}
		if (dst == NULL)
			continue;
		if ((copy = rel ? resolve(dir, val) : strdup(val)) == NULL) {
			err_set(err, path, ln, "out of memory");
			goto out;
		}
		*dst = copy;
	}

	for (i = 0; i < CK__MAX; i++)
		if ((i == CK_ISSUER || i == CK_CLIENTS || i == CK_JWKS ||
		    i == CK_SECRET) && !(seen & (1u << i))) {
			err_set(err, path, 0, "required key \"%s\" missing",
			    ckey_names[i]);
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
	free(c->issuer);
	free(c->clients);
	free(c->jwks);
	free(c->secret);
	free(c->templates);
	free(c->journal);
	if (c->session_cookies != NULL)
		for (i = 0; i < c->session_cookiesz; i++)
			free(c->session_cookies[i]);
	free(c->session_cookies);
	free(c->sid_cookie);
	free(c->cookie_domain);
	free(c->cookie_path);
	free(c->clients_url);
	free(c->jwks_uri);
	free(c->signing_key);
	free(c->signing_kid);
	free(c->notify_state);
	free(c->notify_log);
	free(c->notify_metrics);
	free(c->notify_allow);
	memset(c, 0, sizeof(*c));
}
