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
 */
#include <signal.h>
#include <string.h>

#include <fcgiapp.h>

static const char resp[] =
    "Status: 302 Found\r\n"
    "Location: https://rp.example/signed-out?state=s1\r\n"
    "Cache-Control: no-store\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

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
	while (FCGX_Accept_r(&rq) >= 0) {
#ifdef HELLO_BODY
		FCGX_FPrintF(rq.out, "Status: 200 OK\r\nContent-Type: text/html; "
		    "charset=utf-8\r\nContent-Length: %d\r\n\r\n", HELLO_BODY);
		FCGX_PutStr(body, (int)sizeof(body), rq.out);
#else
		FCGX_PutStr(resp, (int)sizeof(resp) - 1, rq.out);
#endif
#ifdef HELLO_STDERR
		FCGX_PutS("hello: 400 unknown client_id\n", rq.err);
#endif
		FCGX_Finish_r(&rq);
	}
	FCGX_Free(&rq, 1);
	return 0;
}
