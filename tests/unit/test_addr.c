/*
 * test_addr.c - addr.c: which addresses are special-purpose (never
 * connected to unless allowed), notify_allow's blocks, and the literal
 * http URIs that notify_allow makes usable (ncheck.c bcl_uri_ok).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include "unit.h"
#include "endsession.h"

static int
special(const char *s)
{
	unsigned char	 a[16];

	CU_ASSERT_FATAL(addr_parse(s, strlen(s), a));
	return addr_special(a);
}

static void
test_special(void)
{
	static const char *const yes[] = {
		"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1",
		"172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
		"0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.7",
		"198.18.0.1", "::1", "::", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
		"fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
		"64:ff9b::a00:1", "2002::1", "::127.0.0.1", "100::1",
	};
	static const char *const no[] = {
		"8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255",
		"192.169.0.1", "100.128.0.1", "2606:4700::1111",
		"::ffff:8.8.8.8", "2a00:1450::1",
	};
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		CU_ASSERT_EQUAL(special(yes[i]), 1);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CU_ASSERT_EQUAL(special(no[i]), 0);
}

static void
test_allow(void)
{
	struct cidr		 al[LIM_ALLOW];
	struct sockaddr_in	 s4;
	struct sockaddr_in6	 s6;
	unsigned char		 a[16];
	const char		*bad;
	size_t			 n;

	CU_ASSERT_EQUAL(addr_parse_list("127.0.0.0/8  10.1.2.3\t::1 "
	    "fd00::/8", al, &n, &bad), 1);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT(addr_parse("127.9.9.9", 9, a) && addr_allowed(a, al, n));
	CU_ASSERT(addr_parse("10.1.2.3", 8, a) && addr_allowed(a, al, n));
	CU_ASSERT(addr_parse("10.1.2.4", 8, a) && !addr_allowed(a, al, n));
	CU_ASSERT(addr_parse("::1", 3, a) && addr_allowed(a, al, n));
	CU_ASSERT(addr_parse("fd00::5", 7, a) && addr_allowed(a, al, n));
	CU_ASSERT(addr_parse("fe80::5", 7, a) && !addr_allowed(a, al, n));
	CU_ASSERT(addr_parse("169.254.169.254", 15, a) &&
	    !addr_allowed(a, al, n));
	CU_ASSERT(addr_parse("8.8.8.8", 7, a) && addr_allowed(a, NULL, 0));
	CU_ASSERT(addr_parse("127.0.0.1", 9, a) && !addr_allowed(a, NULL, 0));
	/* The mapped form of an allowed IPv4 address is that address. */
	CU_ASSERT(addr_parse("::ffff:127.0.0.1", 16, a) &&
	    addr_allowed(a, al, n));
	/* From a sockaddr, as curl hands it over. */
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	inet_pton(AF_INET, "169.254.169.254", &s4.sin_addr);
	CU_ASSERT(addr_from_sa(&s4, sizeof(s4), a) && !addr_allowed(a, al, n));
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::1", &s6.sin6_addr);
	CU_ASSERT(addr_from_sa(&s6, sizeof(s6), a) && addr_allowed(a, al, n));
	CU_ASSERT_EQUAL(addr_from_sa(&s4, 2, a), 0);
	/* Bad lists name the bad word. */
	CU_ASSERT_EQUAL(addr_parse_list("127.0.0.1 localhost", al, &n, &bad),
	    0);
	CU_ASSERT_STRING_EQUAL(bad, "localhost");
	CU_ASSERT_EQUAL(addr_parse_list("10.0.0.1/8", al, &n, &bad), 0);
	CU_ASSERT_EQUAL(addr_parse_list("10.0.0.0/33", al, &n, &bad), 0);
	CU_ASSERT_EQUAL(addr_parse_list("10.0.0.0/08", al, &n, &bad), 0);
	CU_ASSERT_EQUAL(addr_parse_list("10.0.0.0/", al, &n, &bad), 0);
	CU_ASSERT_EQUAL(addr_parse_list("::/129", al, &n, &bad), 0);
	CU_ASSERT_EQUAL(addr_parse_list("0.0.0.0/0", al, &n, &bad), 1);
	CU_ASSERT_EQUAL(addr_parse_list("", al, &n, &bad), 1);
	CU_ASSERT_EQUAL(n, 0);
}

static void
test_uri(void)
{
	struct cidr	 al[LIM_ALLOW];
	const char	*why;
	size_t		 n;

	CU_ASSERT_FATAL(addr_parse_list("127.0.0.0/8 ::1", al, &n, &why));
	CU_ASSERT(bcl_uri_ok("https://rp.example/bcl", NULL, 0, &why));
	CU_ASSERT(bcl_uri_ok("HTTPS://rp.example:8443/b?x=1", NULL, 0, &why));
	CU_ASSERT(bcl_uri_ok("http://127.0.0.1:8080/b", al, n, &why));
	CU_ASSERT(bcl_uri_ok("http://[::1]:8080/b", al, n, &why));
	CU_ASSERT(!bcl_uri_ok("http://127.0.0.1:8080/b", NULL, 0, &why));
	CU_ASSERT(!bcl_uri_ok("http://localhost/b", al, n, &why));
	CU_ASSERT(!bcl_uri_ok("http://rp.example/b", al, n, &why));
	CU_ASSERT(!bcl_uri_ok("http://10.0.0.1/b", al, n, &why));
	CU_ASSERT(!bcl_uri_ok("ftp://rp.example/b", al, n, &why));
	CU_ASSERT(!bcl_uri_ok("/relative", al, n, &why));
}

UNIT_SUITE("addr",
	{ "special-purpose addresses", test_special },
	{ "notify_allow", test_allow },
	{ "logout URIs", test_uri },
)
