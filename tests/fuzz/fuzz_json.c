/*
 * fuzz_json.c - json_parse, the strict reader every file and token goes
 * through.  Walks the tree and checks what the header promises: no NUL in
 * strings or keys, depth within LIM_JSON_DEPTH, no duplicate keys.  Then
 * parses again keeping only a few members (json_parse_keep): skipping
 * must never make the reader less strict, and keeps only what is named.
 */
#include "fuzz.h"

static void
walk(const struct json *j, size_t depth, size_t insz)
{
	size_t	 i, k;

	FUZZ_ASSERT(j->off <= insz);
	if (j->type == JSON_ARRAY || j->type == JSON_OBJECT)
		FUZZ_ASSERT(depth <= LIM_JSON_DEPTH);
	switch (j->type) {
	case JSON_STRING:
		FUZZ_ASSERT(j->s != NULL && j->s[j->sz] == '\0');
		FUZZ_ASSERT(strlen(j->s) == j->sz);
		FUZZ_ASSERT(utf8_valid(j->s, j->sz));
		break;
	case JSON_NUMBER:
		FUZZ_ASSERT(j->s != NULL && j->sz > 0);
		break;
	case JSON_ARRAY:
		for (i = 0; i < j->sz; i++)
			walk(&j->v[i], depth + 1, insz);
		break;
	case JSON_OBJECT:
		for (i = 0; i < j->sz; i++) {
			FUZZ_ASSERT(j->k[i] != NULL);
			FUZZ_ASSERT(utf8_valid(j->k[i], strlen(j->k[i])));
			FUZZ_ASSERT(json_get(j, j->k[i]) == &j->v[i]);
			for (k = 0; k < i && j->sz < 64; k++)
				FUZZ_ASSERT(strcmp(j->k[k], j->k[i]) != 0);
			walk(&j->v[i], depth + 1, insz);
		}
		break;
	default:
		break;
	}
}

static const struct json_keep sub_keep[] = {
	{ "b", NULL },
	{ "k", NULL },
	{ NULL, NULL }
};

static const struct json_keep root_keep[] = {
	{ "a", sub_keep },
	{ "m7", NULL },
	{ "clients", sub_keep },
	{ NULL, NULL }
};

/* Every key of a kept object is in its list; below, in the sub lists. */
static void
walk_keep(const struct json *j, const struct json_keep *keep)
{
	const struct json_keep	*m;
	size_t			 i;

	if (j->type == JSON_ARRAY)
		for (i = 0; i < j->sz; i++)
			walk_keep(&j->v[i], keep);
	if (j->type != JSON_OBJECT)
		return;
	for (i = 0; i < j->sz; i++) {
		for (m = keep; m->name != NULL; m++)
			if (strcmp(m->name, j->k[i]) == 0)
				break;
		FUZZ_ASSERT(m->name != NULL);
		walk_keep(&j->v[i], m->sub != NULL ? m->sub : &sub_keep[2]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		 ar = { NULL };
	const struct json	*root, *kept;
	char			 msg[128], kmsg[128];
	char			*in = fuzz_dup(data, size);
	size_t			 off = 0, koff = 0;

	msg[0] = '\0';
	if ((root = json_parse(&ar, in, size, &off, msg, sizeof(msg))) !=
	    NULL)
		walk(root, 1, size);
	else {
		FUZZ_ASSERT(memchr(msg, '\0', sizeof(msg)) != NULL);
		FUZZ_ASSERT(strchr(msg, '\n') == NULL);
		FUZZ_ASSERT(off <= size);
	}

	kmsg[0] = '\0';
	if ((kept = json_parse_keep(&ar, root_keep, in, size, &koff, kmsg,
	    sizeof(kmsg))) != NULL) {
		walk(kept, 1, size);
		walk_keep(kept, root_keep);
		/* Only keeping everything may be too dense. */
		FUZZ_ASSERT(root != NULL ||
		    strstr(msg, "bytes of memory") != NULL);
	} else if (root == NULL && strstr(msg, "bytes of memory") == NULL &&
	    strstr(kmsg, "bytes of memory") == NULL) {
		/* The same input, the same error, wherever it is. */
		FUZZ_ASSERT(strcmp(msg, kmsg) == 0);
		FUZZ_ASSERT(off == koff);
	} else
		FUZZ_ASSERT(root == NULL ||
		    strstr(kmsg, "out of memory") != NULL);
	arena_free(&ar);
	free(in);
	return 0;
}
