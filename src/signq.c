/*
 * signq.c - the notifier's logout tokens signed on a thread of their
 * own.  Signing is the one costly step of a delivery (an RSA-2048
 * signature takes longer than everything else a delivery does), so the
 * main thread, which reads the journal, keeps the state and drives
 * libcurl, hands each token to these threads and starts the POST when
 * the token comes back: signing overlaps everything else, and with a
 * thread per core deliveries per second can pass what one core signs.
 * A thread touches nothing but its jobs: it reads the converted key
 * (OpenSSL 3 allows concurrent use of one EVP_PKEY; sign_data copies the
 * key's sign context, a read of it, into a context of its own) and the
 * strings copied into the job.  Finished jobs come back through a list
 * and an eventfd that the main loop polls beside curl's sockets: in the
 * order they were queued with one thread, in the order they finished
 * with more.
 */
#define _GNU_SOURCE	/* pthread_setname_np */
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endsession.h"

struct sq_job {
	int64_t		 id;
	const struct skey *k;
	enum alg	 alg;
	struct ltoken_in in;
	char		*strs;		/* iss, aud, sub, sid, one block */
	struct buf	 body;
	char		 jti[LTOKEN_JTI_SZ + 1];
	int		 ok;
	struct sq_job	*next;
};

struct signq {
	pthread_t	 threads[SQ_MAX_THREADS];
	size_t		 nthreads;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct sq_job	*todo, **todo_tail;
	struct sq_job	*done, **done_tail;
	size_t		 n;		/* jobs not yet taken back */
	int		 efd;
	int		 quit;
};

static void
job_free(struct sq_job *j)
{
	if (j == NULL)
		return;
	buf_free(&j->body);
	free(j->strs);
	free(j);
}

static void
wake_main(struct signq *q)
{
	uint64_t	 one = 1;

	/* A full counter (never, at 2^64-1) still leaves it readable. */
	while (write(q->efd, &one, sizeof(one)) == -1 && errno == EINTR)
		continue;
}

static void *
worker(void *arg)
{
	struct signq	*q = arg;
	struct sq_job	*j;
	int		 was_empty;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->todo == NULL && !q->quit)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->quit)
			break;
		j = q->todo;
		if ((q->todo = j->next) == NULL)
			q->todo_tail = &q->todo;
		j->next = NULL;
		pthread_mutex_unlock(&q->mu);

		buf_adds(&j->body, "logout_token=");
		j->ok = ltoken_make(j->k, j->alg, &j->in, j->jti, &j->body);

		pthread_mutex_lock(&q->mu);
		was_empty = q->done == NULL;
		*q->done_tail = j;
		q->done_tail = &j->next;
		/* One wake-up per batch: the main loop takes them all. */
		if (was_empty)
			wake_main(q);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

static void
stop_threads(struct signq *q)
{
	size_t	 i;

	pthread_mutex_lock(&q->mu);
	q->quit = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	for (i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	q->nthreads = 0;
}

struct signq *
sq_new(size_t nthreads)
{
	struct signq	*q;
	size_t		 i;
	char		 name[16];

	if (nthreads == 0 || nthreads > SQ_MAX_THREADS ||
	    (q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->todo_tail = &q->todo;
	q->done_tail = &q->done;
	if ((q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		free(q);
		return NULL;
	}
	if (pthread_mutex_init(&q->mu, NULL) != 0)
		goto fail_fd;
	if (pthread_cond_init(&q->cv, NULL) != 0)
		goto fail_mu;
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&q->threads[i], NULL, worker, q) != 0) {
			stop_threads(q);
			goto fail_cv;
		}
		q->nthreads++;
		/* Its own name in top -H and perf; a failure costs nothing. */
		snprintf(name, sizeof(name), "notify-sign%zu", i);
		(void)pthread_setname_np(q->threads[i], name);
	}
	return q;
fail_cv:
	pthread_cond_destroy(&q->cv);
fail_mu:
	pthread_mutex_destroy(&q->mu);
fail_fd:
	close(q->efd);
	free(q);
	return NULL;
}

void
sq_free(struct signq *q)
{
	struct sq_job	*j, *nj;

	if (q == NULL)
		return;
	stop_threads(q);
	for (j = q->todo; j != NULL; j = nj) {
		nj = j->next;
		job_free(j);
	}
	for (j = q->done; j != NULL; j = nj) {
		nj = j->next;
		job_free(j);
	}
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	close(q->efd);
	free(q);
}

/* Copies s to *p and returns it, or NULL for a NULL s. */
static const char *
copy(char **p, const char *s)
{
	char	*d = *p;
	size_t	 sz;

	if (s == NULL)
		return NULL;
	sz = strlen(s) + 1;
	memcpy(d, s, sz);
	*p += sz;
	return d;
}

int
sq_put(struct signq *q, int64_t id, const struct skey *k, enum alg alg,
    const struct ltoken_in *in)
{
	struct sq_job	*j;
	size_t		 sz = 0;
	char		*p;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return 0;
	sz += in->iss != NULL ? strlen(in->iss) + 1 : 0;
	sz += in->aud != NULL ? strlen(in->aud) + 1 : 0;
	sz += in->sub != NULL ? strlen(in->sub) + 1 : 0;
	sz += in->sid != NULL ? strlen(in->sid) + 1 : 0;
	if ((j->strs = p = malloc(sz + 1)) == NULL) {
		free(j);
		return 0;
	}
	j->id = id;
	j->k = k;
	j->alg = alg;
	j->in.iss = copy(&p, in->iss);
	j->in.aud = copy(&p, in->aud);
	j->in.sub = copy(&p, in->sub);
	j->in.sid = copy(&p, in->sid);
	j->in.iat = in->iat;
	pthread_mutex_lock(&q->mu);
	*q->todo_tail = j;
	q->todo_tail = &j->next;
	q->n++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return 1;
}

int
sq_fd(const struct signq *q)
{
	return q->efd;
}

size_t
sq_pending(const struct signq *q)
{
	return q->n;
}

size_t
sq_take(struct signq *q, sq_fn fn, void *arg)
{
	struct sq_job	*j, *nj;
	uint64_t	 v;
	size_t		 n = 0;

	/* Cleared before the list is taken: a later job wakes us again. */
	while (read(q->efd, &v, sizeof(v)) == -1 && errno == EINTR)
		continue;
	pthread_mutex_lock(&q->mu);
	j = q->done;
	q->done = NULL;
	q->done_tail = &q->done;
	pthread_mutex_unlock(&q->mu);
	for (; j != NULL; j = nj) {
		nj = j->next;
		q->n--;
		n++;
		fn(arg, j->id, j->ok && !j->body.oom, j->jti,
		    j->body.p, j->body.sz);
		job_free(j);
	}
	return n;
}
