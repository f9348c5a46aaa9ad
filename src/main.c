/*
 * main.c - the thin shell around the core: options, --check, and the
 * request loop, FastCGI (spawn-fcgi hands us a listening socket on fd 0)
 * or one plain CGI request.  This and nothing else touches the
 * environment, stdin/stdout and libfcgi.  fcgiapp.h, not fcgi_stdio.h,
 * which would redefine FILE under OpenSSL's prototypes (libraries.md 6).
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "endsession.h"

#define DEFAULT_CONF	SYSCONFDIR "/endsession.conf"

/* Where a request's bytes come from and go to: CGI or FastCGI. */
struct io {
	FCGX_Request	*fcgi;		/* NULL in CGI mode */
	struct state	*st;		/* NULL: stat the journal each time */
	/* Kept from request to request, so that one mallocs nothing. */
	struct req	 r;		/* its arena (req_reset) */
	struct buf	 line;		/* the journal line */
	time_t		 note_sec;	/* when a rejection was last logged */
	unsigned	 note_dropped;	/* rejections not logged since */
};

extern char	**environ;

/*
 * The CGI variables a request is made of, read in one pass over the
 * environment (FastCGI's params, or the process's in CGI): the first of a
 * name counts, as with getenv.  Fourteen FCGX_GetParam scans were a
 * quarter of an error page's instructions.
 */
static void
io_params(const struct io *io, struct http_in *in, const char **clen)
{
#define V(name, to)	{ name, sizeof(name) - 1, to }
	const struct {
		const char	*name;
		size_t		 len;
		const char	**to;
	} vars[] = {
		V("REQUEST_METHOD", &in->method),
		V("QUERY_STRING", &in->query),
		V("CONTENT_TYPE", &in->content_type),
		V("CONTENT_LENGTH", clen),
		V("HTTP_COOKIE", &in->cookie),
		V("HTTP_ACCEPT_LANGUAGE", &in->accept_language),
		V("REMOTE_ADDR", &in->remote_addr),
		V("SCRIPT_NAME", &in->script_name),
		V("HTTP_SEC_FETCH_SITE", &in->sec_fetch_site),
		V("HTTP_ORIGIN", &in->origin),
		V("HTTP_HOST", &in->host),
		V("HTTPS", &in->https),
		V("REQUEST_SCHEME", &in->scheme),
		V("SERVER_NAME", &in->server_name),
		V("SERVER_PORT", &in->server_port),
	};
#undef V
	char *const	*e = io->fcgi != NULL ? io->fcgi->envp : environ;
	const char	*eq;
	size_t		 i, n;

	*clen = NULL;
	for (; e != NULL && *e != NULL; e++) {
		if ((eq = strchr(*e, '=')) == NULL)
			continue;
		n = (size_t)(eq - *e);
		for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
			if (vars[i].len == n && **e == *vars[i].name &&
			    memcmp(*e, vars[i].name, n) == 0) {
				if (*vars[i].to == NULL)
					*vars[i].to = eq + 1;
				break;
			}
	}
}

/* Reads up to sz bytes of the body; returns how many came. */
static size_t
io_read(const struct io *io, char *p, size_t sz)
{
	size_t	 got = 0;
	ssize_t	 n;
	int	 r;

	while (got < sz) {
		if (io->fcgi != NULL) {
			r = FCGX_GetStr(p + got, (int)(sz - got), io->fcgi->in);
			if (r <= 0)
				break;
			got += (size_t)r;
			continue;
		}
		n = read(STDIN_FILENO, p + got, sz - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static int
io_write(const struct io *io, const char *p, size_t sz)
{
	if (io->fcgi != NULL)
		return FCGX_PutStr(p, (int)sz, io->fcgi->out) == (int)sz;
	return fwrite(p, 1, sz, stdout) == sz && fflush(stdout) == 0;
}

/*
 * The log's sink in a FastCGI child: the request's stderr stream, which
 * the web server writes to its error log (under spawn-fcgi our own stderr
 * is /dev/null).
 */
static void
fcgi_log(void *arg, const char *prog, const char *line)
{
	FCGX_Request	*rq = arg;

	FCGX_PutS(prog, rq->err);
	FCGX_PutS(": ", rq->err);
	FCGX_PutS(line, rq->err);
	FCGX_PutS("\n", rq->err);
}

/*
 * CONTENT_LENGTH: digits only, at most the body limit (libraries.md 6).
 * Returns -1 when bad or too large.
 */
static long
content_length(const char *v)
{
	long	 n = 0;

	if (v == NULL || *v == '\0')
		return 0;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		n = n * 10 + (*v - '0');
		if (n > LIM_BODY_SZ)
			return -1;
	}
	return n;
}

/*
 * The journal stays open between sign-outs (an open and a close per
 * sign-out cost about twice the write).  It is opened again when the
 * configuration names another file, when the path no longer leads to
 * the file we hold (rotated, removed, replaced) and after a failed write.
 * Whether the path still leads there is a stat, but only when inotify
 * saw the journal's name change (state_journal_moved), once a second,
 * or in CGI: most sign-outs make one system call for it, the write.
 */
static struct {
	int		 fd;
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
} jr = { -1, NULL, 0, 0 };

static void
journal_close(void)
{
	if (jr.fd != -1)
		close(jr.fd);
	jr.fd = -1;
	free(jr.path);
	jr.path = NULL;
}

/*
 * 1 when jr holds the file that path leads to now; without look, when
 * it holds the file that path led to when it was opened.
 */
static int
journal_current(const char *path, int look)
{
	struct stat	 sb;

	if (jr.fd == -1 || strcmp(jr.path, path) != 0)
		return 0;
	return !look || (stat(path, &sb) == 0 && sb.st_dev == jr.dev &&
	    sb.st_ino == jr.ino);
}

/*
 * Appends line to the journal with one write (docs/design.md section 8).
 * Returns 1 when the whole line was written.
 */
static int
journal(const char *path, const struct buf *line, int look)
{
	struct stat	 sb;
	ssize_t		 n;

	if (path == NULL)
		return 0;
	if (!journal_current(path, look)) {
		journal_close();
		if ((jr.fd = open(path, JOURNAL_OFLAGS, JOURNAL_MODE)) == -1) {
			log_warnx("journal %s: %s", path, strerror(errno));
			return 0;
		}
		if (fstat(jr.fd, &sb) == -1 ||
		    (jr.path = strdup(path)) == NULL) {
			log_warnx("journal %s: %s", path, strerror(errno));
			journal_close();
			return 0;
		}
		jr.dev = sb.st_dev;
		jr.ino = sb.st_ino;
	}
	n = write(jr.fd, line->p, line->sz);
	if (n != (ssize_t)line->sz) {
		log_warnx("journal %s: %s", path, n == -1 ? strerror(errno) :
		    "short write");
		journal_close();	/* and open it again next time */
		return 0;
	}
	return 1;
}

/*
 * Fresh random bytes for the confirm cookie, NONCE_SZ at a time, from a
 * pool that one getrandom call fills for 64 requests: a system call per
 * request less.  Each value is used once; 0 when the kernel gave none.
 */
static int
nonce_take(unsigned char out[NONCE_SZ])
{
	static unsigned char	 pool[64 * NONCE_SZ];
	static size_t		 left;	/* unused, at the start of pool */
	size_t			 got = 0;
	ssize_t			 n;

	/*
	 * More than 256 bytes may come back short when a signal lands
	 * (the receive timeout's tick, inotify's SIGIO): ask for the rest.
	 */
	while (left == 0 && got < sizeof(pool)) {
		n = getrandom(pool + got, sizeof(pool) - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		if ((got += (size_t)n) == sizeof(pool))
			left = sizeof(pool);
	}
	left -= NONCE_SZ;
	memcpy(out, pool + left, NONCE_SZ);
	explicit_bzero(pool + left, NONCE_SZ);
	return 1;
}

/*
 * Serves one request: gather, parse, decide, render, journal, write.
 * out, body, the request (its arena) and the journal line are reused from
 * request to request.
 */
static void
serve(struct io *io, const struct world *w, struct buf *out, char *body)
{
	struct http_in	 in;
	struct req	*r = &io->r;
	struct decision	 d;
	struct buf	*line = &io->line;
	struct buf	 note = { NULL, 0, 0, 0 };
	unsigned char	 nonce[NONCE_SZ];
	const char	*clen;
	long		 cl;
	time_t		 now = time(NULL);

	memset(&in, 0, sizeof(in));
	io_params(io, &in, &clen);
	/* The confirm cookie's fresh value (none: no confirmation page). */
	if (nonce_take(nonce))
		in.nonce = nonce;
	if (in.method != NULL && strcmp(in.method, "POST") == 0) {
		if ((cl = content_length(clen)) < 0)
			in.body_bad = 1;
		else {
			in.body_sz = io_read(io, body, (size_t)cl);
			in.body_bad = in.body_sz != (size_t)cl;
			in.body = body;
		}
	}

	buf_reset(out);
	if (!req_parse_next(r, &in, w->conf.sid_cookie)) {
		render_500(out);
		goto out;
	}
	decide(w, r, now, &r->ar, &d);
	if (!render(w, r, &d, out)) {
		/* Nothing was sent: nobody is signed out. */
		log_warnx("cannot render the response");
		render_500(out);
		goto out;
	}
	if (d.signout && w->conf.journal != NULL) {
		if (!journal_line(r, &d, now, line)) {
			log_warnx("cannot format the journal line");
			buf_reset(line);
		}
		/*
		 * With notifications on the journal is their queue: a
		 * sign-out it does not record is not performed (503, no
		 * Set-Cookie), so that the customer can try again and no
		 * website stays signed in unknown to anyone.
		 */
		if ((line->sz == 0 || !journal(w->conf.journal, line,
		    io->st == NULL ||
		    state_journal_moved(io->st, w->conf.journal, now))) &&
		    w->conf.signing_key != NULL) {
			d.out = OUT_ERROR;
			d.why = WHY_UNRECORDED;
			d.signout = 0;
			buf_reset(out);
			if (!render(w, r, &d, out))
				render_500(out);
		}
	}
	/*
	 * Why a request was refused or a hint not taken helps whoever
	 * wires up a client; at most one such line a second, so that a
	 * flood of bad requests cannot flood the error log.
	 */
	if (d.out == OUT_ERROR || (d.hint_given && d.hint != HINT_VALID)) {
		if (now == io->note_sec) {
			io->note_dropped++;
			goto out;
		}
		if (d.out == OUT_ERROR)
			buf_addf(&note, "%s %s", d.why == WHY_UNRECORDED ?
			    "503" : "400", reason_names[d.why]);
		if (d.hint_given)
			buf_addf(&note, "%sid_token_hint: %s", note.sz > 0 ?
			    "; " : "", hint_res_names[d.hint]);
		if (io->note_dropped > 0)
			buf_addf(&note, " (and %u more since)",
			    io->note_dropped);
		log_warnx("%.*s", (int)note.sz, note.p != NULL ? note.p : "");
		io->note_sec = now;
		io->note_dropped = 0;
	}
out:
	if (!io_write(io, out->p, out->sz) && io->fcgi != NULL)
		fprintf(stderr, "endsession: client gone\n");
	buf_reset(line);
	buf_free(&note);
	req_reset(r);
}

/*
 * The receive timeout of a FastCGI connection, without a system call per
 * request.  libfcgi reads without a timeout, so a local process that
 * connects and sends nothing (or part of a record) would hold this child
 * forever; and an AF_UNIX socket does not inherit SO_RCVTIMEO from the
 * listening one, so it took a setsockopt per connection.  Instead a
 * timer ticks once a second (SIGALRM, SA_RESTART: reads, writes and
 * accept go on as if nothing happened), and the tick shuts down the
 * connection being served when it has made no step for more than
 * FCGI_RECV_TIMEOUT ticks: the read or write waiting on it fails, and
 * libfcgi closes it.  A step is a new connection or a request read or
 * finished.  The handler only reads these, and calls shutdown(2) (async-
 * signal-safe); it runs on the one thread there is, so between libfcgi's
 * close and wd_fd = -1 no other descriptor can take the number.
 */
static volatile sig_atomic_t	 wd_fd = -1;	/* the connection, or -1 */
static volatile sig_atomic_t	 wd_step;	/* bumped at each step */

static void
wd_tick(int sig)
{
	static sig_atomic_t	 seen, ticks;
	int			 saved = errno;

	(void)sig;
	if (wd_fd < 0 || wd_step != seen) {
		seen = wd_step;
		ticks = 0;
	} else if (++ticks > FCGI_RECV_TIMEOUT) {
		shutdown(wd_fd, SHUT_RDWR);
		ticks = 0;
	}
	errno = saved;
}

/* Starts the tick; 0 when it cannot be had. */
static int
wd_start(void)
{
	struct sigaction	 sa;
	struct itimerval	 it;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wd_tick;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0)
		return 0;
	it.it_interval.tv_sec = 1;
	it.it_interval.tv_usec = 0;
	it.it_value = it.it_interval;
	return setitimer(ITIMER_REAL, &it, NULL) == 0;
}

/*
 * The next FastCGI request.  We accept on fd 0 ourselves, so that the
 * tick knows the connection, and hand it to libfcgi as an open one
 * (ipcFd, keepConnection so that FCGX_Accept_r does not close it first).
 * When reading the request fails (timeout, torn record), libfcgi closes
 * the connection and tries its own accept on listen_sock -1, which fails
 * at once: then accept the next one.  Returns FCGX_Accept_r's result, or
 * -EINTR when a signal (SIGTERM, SIGUSR1: libfcgi's shutdown) came while
 * waiting.
 */
static int
fcgi_accept(FCGX_Request *rq)
{
	int		 fd, rc;

	for (;;) {
		if (rq->ipcFd < 0) {
			wd_fd = -1;
			if ((fd = accept(0, NULL, NULL)) == -1) {
				if (errno == ECONNABORTED || errno == EPROTO ||
				    errno == EAGAIN)
					continue;
				return -errno;
			}
			rq->ipcFd = fd;
			rq->keepConnection = 1;
			wd_step++;
			wd_fd = fd;
		}
		rc = FCGX_Accept_r(rq);
		wd_step++;
		if (rc >= 0)
			return rc;
		/* The connection failed and is closed; not the listener. */
		if (rq->ipcFd >= 0)
			return rc;
	}
}

/*
 * Ends the request.  libfcgi's close lingers: shutdown, then wait for the
 * web server to close its end (up to 2 s), reading what it still sends,
 * so that a reset cannot cost it the answer: on TCP a close with unread
 * data sends a RST, and on a unix socket the peer's next read fails with
 * ECONNRESET.  That wait is a sleep and a wake-up of this child on every
 * request, and it makes the web server run once more before we accept
 * the next one.  When the request has been read to its end (libfcgi has
 * seen the end of stdin, which a web server sends with the rest) and
 * nothing more is waiting on the socket, a close has nothing to reset:
 * detach, so that libfcgi closes at once (FCGX_Free, detached: no
 * shutdown, no wait).  A connection the server keeps for more requests,
 * a body left unread, or anything queued still gets the lingering close.
 * A peer that never sends stdin's end holds the child in FCGX_GetChar
 * until the receive timeout, as a silent peer does (tests/faults/idle.sh).
 */
static void
fcgi_finish(FCGX_Request *rq)
{
	struct pollfd	 pfd = { .fd = rq->ipcFd, .events = POLLIN };

	if (rq->ipcFd >= 0 && !rq->keepConnection && rq->in != NULL &&
	    FCGX_GetChar(rq->in) == EOF && FCGX_HasSeenEOF(rq->in) == EOF &&
	    FCGX_GetError(rq->in) == 0 && poll(&pfd, 1, 0) == 0)
		FCGX_Detach(rq);
	FCGX_Finish_r(rq);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: endsession [-c FILE]            serve (FastCGI on a "
	    "listening fd 0, else one CGI request)\n"
	    "       endsession --check [-c FILE]    load and validate the "
	    "configuration and every file it names\n"
	    "       endsession --version | --help\n"
	    "\n"
	    "  -c FILE   configuration file (default: $ENDSESSION_CONF, "
	    "else %s)\n"
	    "\n"
	    "Environment: ENDSESSION_SANDBOX=0 serves without the sandbox "
	    "(Landlock and seccomp; debugging).\n"
	    "\n"
	    "OpenID Connect RP-Initiated Logout 1.0 end_session endpoint. "
	    "See endsession(8).\n", DEFAULT_CONF);
}

/*
 * s escaped for the terminal, in b (reset first); "" when out of
 * memory.  Key ids, the issuer and paths come from files.
 */
static const char *
esc(struct buf *b, const char *s)
{
	buf_reset(b);
	if (s != NULL)
		log_esc(b, s, strlen(s));
	buf_addc(b, '\0');
	return b->oom ? "" : b->p;
}

static int
check(const char *conf)
{
	struct state	*st;
	const struct world *w;
	struct es_err	 err;
	struct buf	 b = { NULL, 0, 0, 0 }, e1 = { NULL, 0, 0, 0 };
	struct buf	 e2 = { NULL, 0, 0, 0 };
	size_t		 i;
	int		 rc = 0;

	if ((st = state_load(conf, JWKS_FULL, &err)) == NULL) {
		err_print(&err);
		return 1;
	}
	w = state_world(st);
	printf("%s: issuer %s\n", esc(&e1, w->conf.path),
	    esc(&e2, w->conf.issuer));
	clients_describe(w->reg, &b);
	buf_addc(&b, '\0');
	printf("%s: %s\n", esc(&e1, w->conf.clients), b.oom ? "" : b.p);
	buf_reset(&b);
	jwks_describe(w->keys, &b);
	buf_addc(&b, '\0');
	printf("%s: %zu keys: %s", esc(&e1, w->conf.jwks),
	    jwks_count(w->keys), esc(&e2, b.oom ? "" : b.p));
	if (jwks_skipped(w->keys) > 0)
		printf("; %zu not for signatures, skipped",
		    jwks_skipped(w->keys));
	printf("\n%s: secret of at least %d bytes\n", esc(&e1, w->conf.secret),
	    SECRET_MIN);
	printf("%s: %d templates (", esc(&e1, w->conf.templates),
	    PAGE__MAX * LOC__MAX);
	for (i = 0; i < LOC__MAX; i++)
		printf("%s%s", i ? ", " : "", locale_names[i]);
	printf(")\n");
	if (w->conf.journal != NULL)
		printf("%s: journal\n", esc(&e1, w->conf.journal));
	/*
	 * Notifications: the same checks endsession-notify --check makes,
	 * the signing key only when this user can read it (serving never
	 * reads it).
	 */
	buf_reset(&b);
	if (!notify_check(&w->conf, w->reg, w->keys, 0, &b, &err)) {
		err_print(&err);
		rc = 1;
	} else if (b.sz > 0 && !b.oom)
		fwrite(b.p, 1, b.sz, stdout);
	buf_free(&b);
	buf_free(&e1);
	buf_free(&e2);
	state_free(st);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*conf;
	struct state	*st = NULL;
	struct es_err	 err;
	struct buf	 out = { NULL, 0, 0, 0 };
	FCGX_Request	 rq;
	struct io	 io = { NULL };
	enum sandbox_res sb;
	char		*body, msg[1024];
	const char	*why = NULL;
	int		 a, c, docheck = 0, rc = 1;

	if ((conf = getenv("ENDSESSION_CONF")) == NULL || *conf == '\0')
		conf = DEFAULT_CONF;
	while ((c = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1)
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'k':
			docheck = 1;
			break;
		case 'V':
			printf("endsession %s\n", ES_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (docheck)
		return check(conf);

	/* A client gone mid-response must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	if ((body = malloc(LIM_BODY_SZ + 1)) == NULL)
		return 1;
	if ((st = state_load(conf, JWKS_FAST, &err)) == NULL) {
		fprintf(stderr, "endsession: refusing to serve: ");
		err_print(&err);
		if (FCGX_IsCGI()) {
			render_500(&out);
			io_write(&io, out.p, out.sz);
		}
		goto out;
	}

	if (FCGX_IsCGI()) {
		sb = sandbox_enter(&state_world(st)->conf, &why);
		if (sb != SANDBOX_OFF && why != NULL)
			log_warnx("%s%s", sb == SANDBOX_FAILED ?
			    "no sandbox: " : "", why);
		serve(&io, state_world(st), &out, body);
		if (sandbox_report(time(NULL), msg, sizeof(msg)))
			log_warnx("%s", msg);
		rc = 0;
	} else {
		/* No listening socket: fcgi_accept accepts, not libfcgi. */
		if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, -1, 0) != 0) {
			fprintf(stderr, "endsession: cannot set up FastCGI\n");
			goto out;
		}
		/* inotify before the sandbox; without it, a stat per file. */
		if (!state_follow(st))
			log_warnx("cannot follow the files with inotify: "
			    "looking at each on every request");
		if (!wd_start()) {
			fprintf(stderr, "endsession: cannot start the timer of "
			    "the FastCGI receive timeout: %s\n",
			    strerror(errno));
			goto out;
		}
		io.fcgi = &rq;
		io.st = st;
		log_to(fcgi_log, &rq);
		sb = sandbox_enter(&state_world(st)->conf, &why);
		while ((a = fcgi_accept(&rq)) >= 0) {
			/* Said in the first request's error log, once. */
			if (sb != SANDBOX_OFF && why != NULL) {
				log_warnx("%s%s", sb == SANDBOX_FAILED ?
				    "no sandbox: " : "", why);
				why = NULL;
			}
			state_refresh(st);
			serve(&io, state_world(st), &out, body);
			if (sandbox_report(time(NULL), msg, sizeof(msg)))
				log_warnx("%s", msg);
			fcgi_finish(&rq);
			wd_step++;
		}
		FCGX_Free(&rq, 1);
		rc = 0;
	}
	journal_close();
out:
	req_free(&io.r);
	buf_free(&io.line);
	state_free(st);
	buf_free(&out);
	free(body);
	return rc;
}
