/*
 * jline.c - one journal line as the notifier reads it: the endpoint's
 * sign-out lines and the provider's login lines, one JSON object per
 * line (design.md sections 8 and 10), read with our strict JSON reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "endsession.h"

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long	 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int
digits(const char *s, size_t n, unsigned *v)
{
	size_t	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 1;
}

time_t
jline_time(const char *s, size_t sz)
{
	static const unsigned mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	unsigned	 y, mo, d, h, mi, se;

	if (sz != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
	    !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
	    !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 != 0 ||
	    (y % 100 == 0 && y % 400 != 0))) || h > 23 || mi > 59 || se > 60)
		return -1;
	return (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + se);
}

int
jline_fmt_time(time_t t, char ts[21])
{
	struct tm	 tm;

	return gmtime_r(&t, &tm) != NULL &&
	    strftime(ts, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 20;
}

/* A string member: absent or "" leaves *out NULL; another type fails. */
static int
str(struct arena *ar, const struct json *o, const char *name,
    const char **out)
{
	const struct json	*m;

	*out = NULL;
	if ((m = json_get(o, name)) == NULL)
		return 1;
	if (m->type != JSON_STRING)
		return 0;
	if (m->sz == 0)
		return 1;
	return (*out = arena_strndup(ar, m->s, m->sz)) != NULL;
}

enum jevent
jline_parse(struct arena *ar, const char *s, size_t sz, struct jline *l,
    const char **why)
{
	const struct json	*o, *ev, *tm;
	char			 msg[128];
	size_t			 erroff;

	memset(l, 0, sizeof(*l));
	l->time = -1;
	l->ev = JE_BAD;
	if (sz > LIM_JLINE_SZ) {
		*why = "line longer than the limit";
		return JE_BAD;
	}
	if ((o = json_parse(ar, s, sz, &erroff, msg, sizeof(msg))) == NULL ||
	    o->type != JSON_OBJECT) {
		*why = "not a JSON object";
		return JE_BAD;
	}
	if ((ev = json_get(o, "event")) == NULL || ev->type != JSON_STRING) {
		*why = "no \"event\"";
		return JE_BAD;
	}
	if ((tm = json_get(o, "time")) != NULL && (tm->type != JSON_STRING ||
	    (l->time = jline_time(tm->s, tm->sz)) == -1)) {
		*why = "\"time\" not YYYY-MM-DDTHH:MM:SSZ";
		return JE_BAD;
	}
	if (!str(ar, o, "client_id", &l->client_id) ||
	    !str(ar, o, "sub", &l->sub) || !str(ar, o, "sid", &l->sid) ||
	    !str(ar, o, "session", &l->session)) {
		*why = "client_id, sub, sid or session not a string";
		return JE_BAD;
	}
	if (ev->sz == 6 && memcmp(ev->s, "logout", 6) == 0)
		l->ev = JE_LOGOUT;
	else if (ev->sz == 5 && memcmp(ev->s, "login", 5) == 0) {
		if (l->client_id == NULL || l->sid == NULL) {
			*why = "a login line without client_id or sid";
			return JE_BAD;
		}
		l->ev = JE_LOGIN;
	} else
		l->ev = JE_OTHER;
	return l->ev;
}
