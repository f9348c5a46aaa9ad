/*
 * deliver.c - the POSTs of Back-Channel Logout 1.0 section 2.5 with
 * libcurl's multi interface.  One thread drives every transfer, so a
 * slow website costs a socket, not a worker.  Safety lives here:
 * CURLOPT_OPENSOCKETFUNCTION refuses a special-purpose address (addr.c)
 * at the moment of connecting, on the address actually resolved, so DNS
 * rebinding cannot get around it; no proxy from the environment (it
 * would connect for us); no redirects; https only, but for http to a
 * literal address inside notify_allow.  Classification follows the
 * delivery rules: 200/204 delivered; no answer, 408, 429, 5xx retried;
 * any other answer failed; a refused address blocked.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "endsession.h"

struct xfer {
	struct deliver	*dv;
	CURL		*easy;
	int64_t		 id;
	char		*uri;
	char		*body;
	int		 blocked;	/* a connection was refused by us */
	char		 blocked_addr[64];
	char		 errbuf[CURL_ERROR_SIZE];
	struct xfer	*next, *prev;
};

struct deliver {
	CURLM		*multi;
	struct curl_slist *hdrs;
	long		 timeout_ms;
	struct cidr	 allow[LIM_ALLOW];
	size_t		 nallow;
	struct xfer	*head;
	size_t		 n;
	/*
	 * Easy handles of finished transfers, for the next ones: their
	 * fixed options stay set, and no handle is made and freed per POST.
	 */
	CURL		*spare[LIM_INFLIGHT];
	size_t		 nspare;
};

struct deliver *
dv_new(long timeout_s, const struct cidr *allow, size_t nallow)
{
	struct deliver	*dv;

	if (nallow > LIM_ALLOW || (dv = calloc(1, sizeof(*dv))) == NULL)
		return NULL;
	dv->timeout_ms = timeout_s * 1000;
	memcpy(dv->allow, allow, nallow * sizeof(*allow));
	dv->nallow = nallow;
	if ((dv->multi = curl_multi_init()) == NULL ||
	    (dv->hdrs = curl_slist_append(NULL, "Content-Type: "
	    "application/x-www-form-urlencoded")) == NULL ||
	    curl_multi_setopt(dv->multi, CURLMOPT_MAXCONNECTS,
	    (long)LIM_INFLIGHT) != CURLM_OK) {
		dv_free(dv);
		return NULL;
	}
	return dv;
}

static void
xfer_free(struct xfer *x)
{
	struct deliver	*dv;

	if (x == NULL)
		return;
	dv = x->dv;
	if (x->easy != NULL) {
		curl_multi_remove_handle(dv->multi, x->easy);
		if (dv->nspare < LIM_INFLIGHT)
			dv->spare[dv->nspare++] = x->easy;
		else
			curl_easy_cleanup(x->easy);
	}
	free(x->body);
	free(x->uri);
	free(x);
}

void
dv_free(struct deliver *dv)
{
	struct xfer	*x, *nx;

	if (dv == NULL)
		return;
	for (x = dv->head; x != NULL; x = nx) {
		nx = x->next;
		xfer_free(x);
	}
	while (dv->nspare > 0)
		curl_easy_cleanup(dv->spare[--dv->nspare]);
	curl_slist_free_all(dv->hdrs);
	if (dv->multi != NULL)
		curl_multi_cleanup(dv->multi);
	free(dv);
}

/* Every connection goes through here: the address check (addr.c). */
static curl_socket_t
opensock(void *arg, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct xfer	*x = arg;
	unsigned char	 a[16];

	(void)purpose;
	if (!addr_from_sa(&sa->addr, sa->addrlen, a) ||
	    !addr_allowed(a, x->dv->allow, x->dv->nallow)) {
		x->blocked = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol);
}

/* The answer's body is not read: a website's words are not our input. */
static size_t
discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

static void
unlink_xfer(struct deliver *dv, struct xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		dv->head = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	dv->n--;
}

static struct xfer *
find(struct deliver *dv, int64_t id)
{
	struct xfer	*x;

	for (x = dv->head; x != NULL; x = x->next)
		if (x->id == id)
			return x;
	return NULL;
}

int
dv_add(struct deliver *dv, int64_t id, const char *uri)
{
	struct xfer	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return 0;
	x->dv = dv;
	x->id = id;
	if ((x->uri = strdup(uri)) == NULL) {
		free(x);
		return 0;
	}
	x->next = dv->head;
	if (dv->head != NULL)
		dv->head->prev = x;
	dv->head = x;
	dv->n++;
	return 1;
}

void
dv_drop(struct deliver *dv, int64_t id)
{
	struct xfer	*x;

	if ((x = find(dv, id)) == NULL)
		return;
	unlink_xfer(dv, x);
	xfer_free(x);
}

/* A new easy handle with the options every delivery has. */
static CURL *
easy_new(struct deliver *dv)
{
	CURL	*e;

	if ((e = curl_easy_init()) == NULL)
		return NULL;
	if (curl_easy_setopt(e, CURLOPT_HTTPHEADER, dv->hdrs) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT, "endsession-notify/"
	    ES_VERSION) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROXY, "") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOPROXY, "*") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, dv->timeout_ms) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, dv->timeout_ms) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, opensock) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAXFILESIZE, (long)LIM_RESPONSE_SZ) !=
	    CURLE_OK) {
		curl_easy_cleanup(e);
		return NULL;
	}
	return e;
}

int
dv_send(struct deliver *dv, int64_t id, const char *body, size_t bodysz)
{
	struct xfer	*x;
	CURL		*e;
	const char	*uri;

	if ((x = find(dv, id)) == NULL || x->easy != NULL)
		return 0;
	uri = x->uri;
	if ((x->body = strndup(body, bodysz)) == NULL)
		goto fail;
	if ((e = dv->nspare > 0 ? dv->spare[--dv->nspare] : easy_new(dv)) ==
	    NULL)
		goto fail;
	/* What changes from one delivery to the next. */
	if (curl_easy_setopt(e, CURLOPT_URL, x->uri) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, x) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)bodysz) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
	    strncasecmp(uri, "http:", 5) == 0 ? "http" : "https") !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x) != CURLE_OK ||
	    curl_multi_add_handle(dv->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		goto fail;
	}
	x->easy = e;
	return 1;
fail:
	unlink_xfer(dv, x);
	xfer_free(x);
	return 0;
}

size_t
dv_inflight(const struct deliver *dv)
{
	return dv->n;
}

size_t
dv_inflight_uri(const struct deliver *dv, const char *uri)
{
	const struct xfer	*x;
	size_t			 n = 0;

	for (x = dv->head; x != NULL; x = x->next)
		if (strcmp(x->uri, uri) == 0)
			n++;
	return n;
}

int
dv_wait(struct deliver *dv, const int *fds, size_t nfds, int ms)
{
	struct curl_waitfd	 w[4];
	unsigned		 n = 0;
	size_t			 i;

	memset(w, 0, sizeof(w));
	for (i = 0; i < nfds && n < 4; i++)
		if (fds[i] != -1) {
			w[n].fd = fds[i];
			w[n++].events = CURL_WAIT_POLLIN;
		}
	return curl_multi_poll(dv->multi, n > 0 ? w : NULL, n, ms, NULL) ==
	    CURLM_OK;
}

/* The delivery rules for one finished transfer. */
static void
classify(struct xfer *x, CURLcode cc, struct dv_result *r)
{
	long	 code = 0;

	memset(r, 0, sizeof(*r));
	r->id = x->id;
	if (cc == CURLE_OK) {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
		r->status = (int)code;
		if (code == 200 || code == 204)
			r->out = NO_DELIVERED;
		else if (code == 408 || code == 429 || (code >= 500 &&
		    code <= 599))
			r->out = NO_RETRY;
		else
			r->out = NO_FAILED;
		if (r->out != NO_DELIVERED)
			snprintf(r->error, sizeof(r->error), "HTTP %ld", code);
		return;
	}
	if (x->blocked) {
		r->out = NO_BLOCKED;
		snprintf(r->error, sizeof(r->error), "address not allowed "
		    "(special-purpose, not in notify_allow)");
		return;
	}
	if (cc == CURLE_UNSUPPORTED_PROTOCOL) {
		r->out = NO_BLOCKED;
		snprintf(r->error, sizeof(r->error), "http to a host that is "
		    "not a literal address inside notify_allow");
		return;
	}
	r->out = NO_RETRY;
	snprintf(r->error, sizeof(r->error), "%s", x->errbuf[0] != '\0' ?
	    x->errbuf : curl_easy_strerror(cc));
}

int
dv_run(struct deliver *dv, dv_fn fn, void *arg)
{
	struct dv_result	 r;
	struct xfer		*x;
	CURLMsg			*m;
	int			 running, left;

	if (curl_multi_perform(dv->multi, &running) != CURLM_OK)
		return 0;
	while ((m = curl_multi_info_read(dv->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		x = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x == NULL)
			continue;
		classify(x, m->data.result, &r);
		unlink_xfer(dv, x);
		xfer_free(x);
		fn(arg, &r);
	}
	return 1;
}
