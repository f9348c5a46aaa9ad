/*
 * b64url.c - strict base64url without padding (RFC 7515 section 2,
 * RFC 4648 section 5).  libjwt's decoder is lax (libraries.md 1); this
 * one accepts exactly one spelling of each byte string.
 */
#include <string.h>

#include "endsession.h"

static const char enc[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* 0..63 for an alphabet character, 64 for anything else. */
static const unsigned char dec[256] = {
#define X 64
	X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
	X,X,X,X,X,X,X,X,X,X,X,X,X,62,X,X, 52,53,54,55,56,57,58,59,60,61,X,X,X,X,X,X,
	X,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14, 15,16,17,18,19,20,21,22,23,24,25,X,X,X,X,63,
	X,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40, 41,42,43,44,45,46,47,48,49,50,51,X,X,X,X,X,
	X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
	X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
	X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
	X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
#undef X
};

size_t
b64url_decsz(size_t insz)
{
	return insz / 4 * 3 + (insz % 4 * 3) / 4;
}

size_t
b64url_encsz(size_t insz)
{
	return insz / 3 * 4 + (insz % 3 == 0 ? 0 : insz % 3 + 1);
}

int
b64url_decode(const char *in, size_t insz, unsigned char *out, size_t outcap,
    size_t *outsz)
{
	size_t		 i, o = 0, need;
	unsigned	 acc = 0, bits = 0, v;

	*outsz = 0;
	if (insz % 4 == 1)
		return 0;
	need = b64url_decsz(insz);
	if (need > outcap)
		return 0;
	/* Four characters to three bytes at a time; then the tail. */
	for (i = 0; insz - i >= 4; i += 4) {
		unsigned	 a = dec[(unsigned char)in[i]];
		unsigned	 b = dec[(unsigned char)in[i + 1]];
		unsigned	 c = dec[(unsigned char)in[i + 2]];
		unsigned	 d = dec[(unsigned char)in[i + 3]];

		if ((a | b | c | d) & 64)
			return 0;
		v = a << 18 | b << 12 | c << 6 | d;
		out[o] = (unsigned char)(v >> 16);
		out[o + 1] = (unsigned char)(v >> 8);
		out[o + 2] = (unsigned char)v;
		o += 3;
	}
	for (; i < insz; i++) {
		if ((v = dec[(unsigned char)in[i]]) == 64)
			return 0;
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero, or two spellings would decode alike. */
	if (acc != 0)
		return 0;
	*outsz = o;
	return 1;
}

void
b64url_encode(const unsigned char *in, size_t insz, char *out)
{
	size_t		 i, o = 0;
	unsigned	 acc = 0, bits = 0;

	for (i = 0; i < insz; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = enc[(acc >> bits) & 63];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		out[o++] = enc[(acc << (6 - bits)) & 63];
	out[o] = '\0';
}
