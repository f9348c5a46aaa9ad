/*
 * ncheck.c - the checks of the notifications' configuration that both
 * "endsession --check" and "endsession-notify --check" make (design.md
 * section 10), with no network library: the logout URIs against
 * notify_allow (uriparser), the private signing key against the keys
 * file, and a key for each client's ID Token algorithm
 * (id_token_signed_response_alg, OpenID Connect Dynamic Client
 * Registration 1.0 section 2), since that is the one algorithm the
 * website accepts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <uriparser/Uri.h>

#include "endsession.h"

int
bcl_uri_ok(const char *uri, const struct cidr *allow, size_t n,
    const char **why)
{
	UriUriA		 u;
	const char	*err;
	unsigned char	 a[16];
	size_t		 ssz;
	int		 rc = 0;

	*why = "not an absolute URI";
	if (uriParseSingleUriA(&u, uri, &err) != URI_SUCCESS)
		return 0;
	if (u.scheme.first == NULL || u.hostText.first == NULL)
		goto out;
	ssz = (size_t)(u.scheme.afterLast - u.scheme.first);
	if (ssz == 5 && strncasecmp(u.scheme.first, "https", 5) == 0) {
		rc = 1;
		goto out;
	}
	*why = "plain http to a host that is not a literal address inside "
	    "notify_allow";
	if (ssz != 4 || strncasecmp(u.scheme.first, "http", 4) != 0) {
		*why = "neither https nor http";
		goto out;
	}
	if (u.hostData.ip4 != NULL) {
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		memcpy(a + 12, u.hostData.ip4->data, 4);
	} else if (u.hostData.ip6 != NULL)
		memcpy(a, u.hostData.ip6->data, 16);
	else
		goto out;
	rc = addr_in(a, allow, n);
out:
	uriFreeUriMembersA(&u);
	return rc;
}

int
notify_check(const struct conf *c, const struct registry *reg,
    const struct keyset *keys, int need_key, struct buf *out,
    struct es_err *err)
{
	struct cidr		 allow[LIM_ALLOW];
	struct signer		*sg = NULL;
	const struct client	*cl;
	const char		*why, *bad;
	enum alg		 use;
	size_t			 nallow = 0, i, nbcl = 0;
	int			 rc = 0;

	if (c->signing_key == NULL)
		return 1;
	if (c->notify_allow != NULL &&
	    !addr_parse_list(c->notify_allow, allow, &nallow, &bad)) {
		err_set(err, c->path, 0, "notify_allow: bad address");
		goto out;
	}
	for (i = 0; i < clients_count(reg); i++) {
		cl = clients_at(reg, i);
		if (cl->bcl_uri == NULL)
			continue;
		nbcl++;
		if (!bcl_uri_ok(cl->bcl_uri, allow, nallow, &why)) {
			err_set(err, c->clients, 0, "client \"%.128s\": "
			    "backchannel_logout_uri: %s", cl->id, why);
			goto out;
		}
	}
	buf_addf(out, "%s: %zu clients with a backchannel_logout_uri\n",
	    c->clients, nbcl);
	/* Serving never reads the private key: checked where readable. */
	if (!need_key && access(c->signing_key, R_OK) == -1 &&
	    errno == EACCES) {
		buf_addf(out, "%s: signing key not readable here, not "
		    "checked\n", c->signing_key);
		rc = 1;
		goto out;
	}
	if ((sg = sign_load(c->signing_key, keys, err)) == NULL)
		goto out;
	if (c->signing_kid != NULL && sign_pick(sg, c->signing_kid, ALG__MAX,
	    &use) == NULL) {
		err_set(err, c->path, 0, "signing_kid: no signing key has kid "
		    "\"%.64s\"", c->signing_kid);
		goto out;
	}
	for (i = 0; i < clients_count(reg); i++) {
		cl = clients_at(reg, i);
		if (cl->bcl_uri == NULL)
			continue;
		if (sign_pick(sg, c->signing_kid, (enum alg)cl->id_alg,
		    &use) == NULL) {
			err_set(err, c->clients, 0, "client \"%.128s\": no "
			    "signing key for its id_token_signed_response_alg "
			    "%s", cl->id, alg_names[cl->id_alg]);
			goto out;
		}
	}
	buf_addf(out, "%s: %zu signing keys:", c->signing_key,
	    sign_count(sg));
	for (i = 0; i < sign_count(sg); i++)
		buf_addf(out, " %s (%s)", skey_kid(sign_key(sg, i)) != NULL ?
		    skey_kid(sign_key(sg, i)) : "(no kid)",
		    skey_kty(sign_key(sg, i)));
	buf_addc(out, '\n');
	rc = 1;
out:
	sign_free(sg);
	return rc;
}
