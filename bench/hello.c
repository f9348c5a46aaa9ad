/*
 * bench/hello.c - the floor for bench/run: the cheapest possible
 * FastCGI responder on libfcgi (fcgiapp.h), the same library and the
 * same accept loop as endsession, answering every request with a fixed
 * 302.  What nginx + spawn-fcgi + libfcgi cost per request with no work.
 *
 * For experiments only (bench/run builds it plain):
 *   -DHELLO_BODY=N   answer 200 with an N-byte HTML body instead
 *   -DHELLO_STDERR   also send one line on the FastCGI stderr stream,
 *                    which nginx writes to its error log
 *   -DHELLO_FILE     answer with the bytes of the file $HELLO_FILE (a
 *                    whole CGI response, headers included), read once
 *   -DHELLO_QUICK_CLOSE  close the connection as endsession does (at once
 *                    when the request was read to its end) instead of
 *                    libfcgi's lingering close: the floor endsession's
 *                    own work can be held against since it closes so
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#if !defined(HELLO_FILE) && !defined(HELLO_BODY)
static const char resp[] =
    "Status: 302 Found\r\n"
    "Location: https://rp.example/signed-out?state=s1\r\n"
    "Cache-Control: no-store\r\n"
    "Content-Length: 0\r\n"
    "\r\n";
#endif

int
main(void)
{
	FCGX_Request	 rq;

	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, 0, 0) != 0)
		return 1;
#ifdef HELLO_BODY
	static char body[HELLO_BODY];
	memset(body, 'x', sizeof(body));
#endif
#ifdef HELLO_FILE
	static char file[65536];
	size_t	 filesz;
	FILE	*f;

	if (getenv("HELLO_FILE") == NULL ||
	    (f = fopen(getenv("HELLO_FILE"), "rb")) == NULL)
		return 1;
	filesz = fread(file, 1, sizeof(file), f);
	fclose(f);
#endif
	while (FCGX_Accept_r(&rq) >= 0) {
#if defined(HELLO_FILE)
		FCGX_PutStr(file, (int)filesz, rq.out);
#elif defined(HELLO_BODY)
		FCGX_FPrintF(rq.out, "Status: 200 OK\r\nContent-Type: text/html; "
		    "charset=utf-8\r\nContent-Length: %d\r\n\r\n", HELLO_BODY);
		FCGX_PutStr(body, (int)sizeof(body), rq.out);
#else
		FCGX_PutStr(resp, (int)sizeof(resp) - 1, rq.out);
#endif
#ifdef HELLO_STDERR
		FCGX_PutS("hello: 400 unknown client_id\n", rq.err);
#endif
#ifdef HELLO_QUICK_CLOSE
		/* endsession's close (src/main.c fcgi_finish): at once when
		 * the request was read to its end and nothing is queued. */
		struct pollfd	 pfd = { .fd = rq.ipcFd, .events = POLLIN };

		if (!rq.keepConnection && FCGX_GetChar(rq.in) == EOF &&
		    FCGX_HasSeenEOF(rq.in) == EOF && poll(&pfd, 1, 0) == 0)
			FCGX_Detach(&rq);
#endif
		FCGX_Finish_r(&rq);
	}
	FCGX_Free(&rq, 1);
	return 0;
}
