/*
 * addr.c - IP addresses for the notifier: notify_allow's addresses and
 * CIDR blocks, and the special-purpose address blocks (RFC 6890, the
 * IANA IPv4 and IPv6 Special-Purpose Address Registries) that are never
 * connected to unless allowed, so that a registered logout URI cannot
 * make the provider POST into its own network.  IPv4 lives as an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d), so one table serves both.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endsession.h"

#define V4(a, b, c, d, bits) \
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d }, 96 + (bits) }
#define V6(a0, a1, a2, a3, bits) \
	{ { (a0) >> 8, (a0) & 0xff, (a1) >> 8, (a1) & 0xff, (a2) >> 8, \
	    (a2) & 0xff, (a3) >> 8, (a3) & 0xff }, bits }

static const struct cidr special[] = {
	V4(0, 0, 0, 0, 8),		/* "this network" */
	V4(10, 0, 0, 0, 8),		/* private */
	V4(100, 64, 0, 0, 10),		/* shared (carrier-grade NAT) */
	V4(127, 0, 0, 0, 8),		/* loopback */
	V4(169, 254, 0, 0, 16),		/* link-local (cloud metadata) */
	V4(172, 16, 0, 0, 12),		/* private */
	V4(192, 0, 0, 0, 24),		/* IETF protocol assignments */
	V4(192, 0, 2, 0, 24),		/* documentation */
	V4(192, 88, 99, 0, 24),		/* 6to4 relay anycast */
	V4(192, 168, 0, 0, 16),		/* private */
	V4(198, 18, 0, 0, 15),		/* benchmarking */
	V4(198, 51, 100, 0, 24),	/* documentation */
	V4(203, 0, 113, 0, 24),		/* documentation */
	V4(224, 0, 0, 0, 4),		/* multicast */
	V4(240, 0, 0, 0, 4),		/* reserved, broadcast */
	V6(0, 0, 0, 0, 96),		/* ::/96: unspecified, loopback,
					 * IPv4-compatible */
	V6(0, 0, 0, 0, 80),		/* ::/80 but ::ffff:0:0/96 (below) */
	V6(0x0064, 0xff9b, 0, 0, 32),	/* NAT64 (64:ff9b::/96, /48) */
	V6(0x0100, 0, 0, 0, 64),	/* discard-only */
	V6(0x2001, 0, 0, 0, 23),	/* IETF protocol assignments, Teredo */
	V6(0x2001, 0x0db8, 0, 0, 32),	/* documentation */
	V6(0x2002, 0, 0, 0, 16),	/* 6to4 */
	V6(0x3fff, 0, 0, 0, 20),	/* documentation */
	V6(0x5f00, 0, 0, 0, 16),	/* segment routing */
	V6(0xfc00, 0, 0, 0, 7),		/* unique local */
	V6(0xfe80, 0, 0, 0, 10),	/* link-local */
	V6(0xfec0, 0, 0, 0, 10),	/* site-local (deprecated) */
	V6(0xff00, 0, 0, 0, 8),		/* multicast */
};

static const unsigned char mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static int
in_block(const unsigned char a[16], const struct cidr *c)
{
	int		 full = c->bits / 8, rest = c->bits % 8;
	unsigned char	 mask;

	if (memcmp(a, c->a, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (c->a[full] & mask);
}

int
addr_parse(const char *s, size_t sz, unsigned char a[16])
{
	char		 tmp[INET6_ADDRSTRLEN + 1];
	struct in_addr	 v4;

	if (sz == 0 || sz >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, sz);
	tmp[sz] = '\0';
	if (inet_pton(AF_INET, tmp, &v4) == 1) {
		memcpy(a, mapped, 12);
		memcpy(a + 12, &v4, 4);
		return 1;
	}
	return inet_pton(AF_INET6, tmp, a) == 1;
}

int
addr_special(const unsigned char a[16])
{
	size_t	 i;

	/* An IPv4-mapped address is judged as the IPv4 address it holds. */
	if (memcmp(a, mapped, 12) == 0) {
		for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
			if (special[i].bits >= 96 && in_block(a, &special[i]))
				return 1;
		return 0;
	}
	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (special[i].bits < 96 && in_block(a, &special[i]))
			return 1;
	return 0;
}

int
addr_in(const unsigned char a[16], const struct cidr *allow, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (in_block(a, &allow[i]))
			return 1;
	return 0;
}

int
addr_allowed(const unsigned char a[16], const struct cidr *allow, size_t n)
{
	return addr_in(a, allow, n) || !addr_special(a);
}

int
addr_from_sa(const void *sa, size_t salen, unsigned char a[16])
{
	const struct sockaddr_in	*s4 = sa;
	const struct sockaddr_in6	*s6 = sa;
	sa_family_t			 fam;

	if (salen < sizeof(fam))
		return 0;
	memcpy(&fam, (const char *)sa + offsetof(struct sockaddr, sa_family),
	    sizeof(fam));
	if (fam == AF_INET && salen >= sizeof(*s4)) {
		memcpy(a, mapped, 12);
		memcpy(a + 12, &s4->sin_addr, 4);
		return 1;
	}
	if (fam == AF_INET6 && salen >= sizeof(*s6)) {
		memcpy(a, &s6->sin6_addr, 16);
		return 1;
	}
	return 0;
}

/* One "address" or "address/bits" word. */
static int
parse_cidr(const char *s, size_t sz, struct cidr *c)
{
	const char	*slash;
	size_t		 i, asz;
	int		 bits = 0, v4;

	slash = memchr(s, '/', sz);
	asz = slash != NULL ? (size_t)(slash - s) : sz;
	if (!addr_parse(s, asz, c->a))
		return 0;
	v4 = memchr(s, ':', asz) == NULL;
	if (slash == NULL) {
		c->bits = 128;
		return 1;
	}
	if (sz - asz < 2 || sz - asz > 4)
		return 0;
	for (i = asz + 1; i < sz; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		bits = bits * 10 + (s[i] - '0');
	}
	if (bits > (v4 ? 32 : 128) || (sz - asz > 2 && s[asz + 1] == '0'))
		return 0;
	c->bits = v4 ? 96 + bits : bits;
	/* Host bits must be zero: "10.0.0.1/8" is a typo, not a block. */
	for (i = (size_t)c->bits; i < 128; i++)
		if (c->a[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

int
addr_parse_list(const char *s, struct cidr *out, size_t *n, const char **bad)
{
	const char	*e;

	*n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return 1;
		for (e = s; *e != '\0' && *e != ' ' && *e != '\t'; e++)
			continue;
		if (*n == LIM_ALLOW || !parse_cidr(s, (size_t)(e - s),
		    &out[*n])) {
			*bad = s;
			return 0;
		}
		(*n)++;
		s = e;
	}
}
