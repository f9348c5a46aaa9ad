/*
 * log.c - diagnostics, one line at a time and with a format, as OpenBSD's
 * log_warnx(3)-style helpers in slowcgi and httpd: log_warnx("%s: %s",
 * path, why).  Each line is escaped (paths and file content reach the log
 * as printable ASCII, see log_esc) and goes where the program points it:
 * stderr after the program's name, or a sink such as the current FastCGI
 * request's error stream (the web server's error log).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "endsession.h"

static const char	*log_prog = "endsession";
static log_sink		 log_out;
static void		*log_arg;

void
log_init(const char *prog)
{
	log_prog = prog;
}

void
log_to(log_sink fn, void *arg)
{
	log_out = fn;
	log_arg = arg;
}

void
log_warnx(const char *fmt, ...)
{
	char		 msg[LIM_LOG_LINE];
	struct buf	 b = { NULL, 0, 0, 0 };
	const char	*line;
	va_list		 ap;
	int		 n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		snprintf(msg, sizeof(msg), "(a log line that cannot be "
		    "formatted: %s)", fmt);
	else if ((size_t)n >= sizeof(msg))	/* cut, and say so */
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	log_esc(&b, msg, strlen(msg));
	buf_addc(&b, '\0');
	line = b.oom ? "(out of memory)" : b.p;
	if (log_out != NULL)
		log_out(log_arg, log_prog, line);
	else
		fprintf(stderr, "%s: %s\n", log_prog, line);
	buf_free(&b);
}
