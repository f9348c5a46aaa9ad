/*
 * jfollow.c - follows the journal as "tail -F" would, but exactly: from
 * a saved (device, inode, offset), line by line, waking on inotify
 * rather than polling, so that a sign-out reaches the notifier within
 * milliseconds.  A line without its final newline is never handed out
 * (the endpoint appends whole lines with one write, so the rest is on
 * its way).  A journal renamed away (logrotate's default) is read to its
 * end before the new file at PATH; a journal truncated in place
 * (copytruncate) is read again from its start.
 *
 * The end of a rotated file is only trusted after the rename was seen:
 * a line appended between our last read and the stat that shows the new
 * file would otherwise be skipped.  And a writer may still hold the old
 * file for a moment (the endpoint learns of the rename before its next
 * request, so only a request already under way writes there), so while
 * following we keep reading it for settle_ms after the rename was seen.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "endsession.h"

#define JF_CHUNK	(64 * 1024)

struct jfollow {
	char		*path;
	int		 fd;		/* -1 while PATH does not exist */
	uint64_t	 dev, ino;
	int64_t		 off;		/* file offset of buf[0] */
	char		*buf;		/* bytes read, not yet handed out */
	size_t		 bufsz;
	int		 skipping;	/* inside an over-long line */
	int		 ifd;		/* inotify */
	int		 settle_ms;	/* how long the old file is still read */
	int		 rot_seen;	/* PATH is another file: read to the end */
	int64_t		 rot_at;	/* when that was seen (monotonic ms) */
};

static int64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "journal PATH: what" in the log. */
static void
jlog(struct jfollow *jf, const char *what)
{
	log_warnx("journal %s: %s", jf->path, what);
}

/* Opens path at off; 0 when it does not exist (fd stays -1). */
static int
open_at(struct jfollow *jf, const char *path, int64_t off)
{
	struct stat	 st;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return 0;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	if (off > st.st_size)
		off = 0;	/* truncated while we were away */
	if (lseek(fd, off, SEEK_SET) == -1) {
		close(fd);
		return 0;
	}
	if (jf->fd != -1)
		close(jf->fd);
	jf->fd = fd;
	jf->dev = (uint64_t)st.st_dev;
	jf->ino = (uint64_t)st.st_ino;
	jf->off = off;
	jf->bufsz = 0;
	jf->skipping = 0;
	jf->rot_seen = 0;
	return 1;
}

struct jfollow *
jf_open(const char *path, const struct jpos *start, int settle_ms,
    struct es_err *err)
{
	struct jfollow	*jf;
	struct stat	 st;
	char		 dir[PATH_MAX], old[PATH_MAX];
	const char	*slash;
	int		 rc = 0;

	if ((jf = calloc(1, sizeof(*jf))) == NULL ||
	    (jf->path = strdup(path)) == NULL ||
	    (jf->buf = malloc(LIM_JLINE_SZ + JF_CHUNK + 1)) == NULL) {
		err_set(err, path, 0, "out of memory");
		goto out;
	}
	jf->fd = jf->ifd = -1;
	jf->settle_ms = settle_ms < 0 ? 0 : settle_ms;
	if ((slash = strrchr(path, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	/* The folder, not the file: creations and renames show there. */
	if ((jf->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(jf->ifd, dir, IN_MODIFY | IN_CREATE |
	    IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE) == -1) {
		err_set(err, path, 0, "inotify on %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	/*
	 * Where the last run stopped: the same file, or the one rotated to
	 * PATH.1 while we were away (read to its end first), or else the
	 * current file from its start.
	 */
	if (start->ino != 0 && stat(path, &st) == 0 &&
	    ((uint64_t)st.st_dev != start->dev ||
	    (uint64_t)st.st_ino != start->ino)) {
		snprintf(old, sizeof(old), "%s.1", path);
		if (stat(old, &st) == 0 && (uint64_t)st.st_dev == start->dev &&
		    (uint64_t)st.st_ino == start->ino &&
		    open_at(jf, old, start->off)) {
			/* Rotated before we started: no writer is left. */
			jf->rot_seen = 1;
			jf->rot_at = INT64_MIN / 2;
			rc = 1;
			goto out;
		}
		jlog(jf, "rotated while stopped, the old file is gone; "
		    "reading the new one from its start");
		open_at(jf, path, 0);
	} else
		open_at(jf, path, start->ino != 0 ? start->off : 0);
	rc = 1;
out:
	if (!rc) {
		jf_close(jf);
		jf = NULL;
	}
	return jf;
}

int
jf_fd(const struct jfollow *jf)
{
	return jf->ifd;
}

long
jf_settle_left(const struct jfollow *jf)
{
	int64_t	 left;

	if (jf->fd == -1 || !jf->rot_seen)
		return -1;
	left = jf->rot_at + jf->settle_ms - mono_ms();
	return left > 0 ? (long)left : 0;
}

int
jf_drain(struct jfollow *jf)
{
	char	 ev[4096] __attribute__((aligned(__alignof__(struct
		    inotify_event))));
	int	 any = 0;

	while (read(jf->ifd, ev, sizeof(ev)) > 0)
		any = 1;
	return any;
}

/* Whether PATH is now another file than the one open (rotation). */
static int
rotated(struct jfollow *jf)
{
	struct stat	 st;

	if (stat(jf->path, &st) == -1)
		return 0;	/* renamed, the new one not there yet */
	return (uint64_t)st.st_dev != jf->dev ||
	    (uint64_t)st.st_ino != jf->ino;
}

int
jf_read(struct jfollow *jf, size_t max, jline_fn fn, void *arg,
    struct jpos *pos)
{
	struct stat	 st;
	struct jpos	 after;
	char		*nl;
	size_t		 used, n = 0;
	ssize_t		 r;

	pos->dev = jf->dev;
	pos->ino = jf->ino;
	pos->off = jf->off;
	if (jf->fd == -1 && !open_at(jf, jf->path, 0))
		return 0;
	pos->dev = jf->dev;
	pos->ino = jf->ino;
	pos->off = jf->off;
	for (;;) {
		/* Hand out the complete lines in the buffer. */
		used = 0;
		while (n < max && (nl = memchr(jf->buf + used, '\n',
		    jf->bufsz - used)) != NULL) {
			after.dev = jf->dev;
			after.ino = jf->ino;
			after.off = jf->off + (int64_t)(nl - jf->buf) + 1;
			if (!fn(arg, jf->skipping ? NULL : jf->buf + used,
			    jf->skipping ? 0 : (size_t)(nl - (jf->buf + used)),
			    &after))
				return -1;
			jf->skipping = 0;
			used = (size_t)(nl - jf->buf) + 1;
			*pos = after;
			n++;
		}
		memmove(jf->buf, jf->buf + used, jf->bufsz - used);
		jf->bufsz -= used;
		jf->off += (int64_t)used;
		if (n == max)
			return (int)n;
		if (jf->bufsz > LIM_JLINE_SZ) {
			/* Over the limit: drop it up to its newline. */
			jf->off += (int64_t)jf->bufsz;
			jf->bufsz = 0;
			jf->skipping = 1;
		}
		r = read(jf->fd, jf->buf + jf->bufsz, JF_CHUNK);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			jlog(jf, "read failed");
			return -1;
		}
		if (r > 0) {
			jf->bufsz += (size_t)r;
			continue;
		}
		/* At the end: a truncation, a rotation, or simply nothing. */
		if (fstat(jf->fd, &st) == 0 &&
		    st.st_size < jf->off + (int64_t)jf->bufsz) {
			jlog(jf, "truncated, reading it again from its start");
			if (lseek(jf->fd, 0, SEEK_SET) == -1)
				return -1;
			jf->off = 0;
			jf->bufsz = 0;
			jf->skipping = 0;
			pos->off = 0;
			continue;
		}
		if (!jf->rot_seen) {
			if (!rotated(jf))
				return (int)n;
			/*
			 * Read it again now that the rename is certain: a
			 * line may have come after the read that found its
			 * end.
			 */
			jf->rot_seen = 1;
			jf->rot_at = mono_ms();
			continue;
		}
		if (mono_ms() - jf->rot_at < jf->settle_ms)
			return (int)n;	/* a late writer may still add one */
		if (jf->bufsz > 0)
			jlog(jf, "the rotated file ends in a line without a "
			    "newline; skipped");
		if (!open_at(jf, jf->path, 0))
			return (int)n;
		pos->dev = jf->dev;
		pos->ino = jf->ino;
		pos->off = 0;
	}
}

void
jf_close(struct jfollow *jf)
{
	if (jf == NULL)
		return;
	if (jf->fd != -1)
		close(jf->fd);
	if (jf->ifd != -1)
		close(jf->ifd);
	free(jf->buf);
	free(jf->path);
	free(jf);
}
