/*
 * fuzz_json.c - json_parse, the strict reader every file and token goes
 * through.  Walks the tree and checks what the header promises: no NUL in
 * strings or keys, depth within LIM_JSON_DEPTH, no duplicate keys.
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		 ar = { NULL };
	const struct json	*root;
	char			 msg[128];
	char			*in = fuzz_dup(data, size);
	size_t			 off = 0;

	msg[0] = '\0';
	if ((root = json_parse(&ar, in, size, &off, msg, sizeof(msg))) !=
	    NULL)
		walk(root, 1, size);
	else {
		FUZZ_ASSERT(memchr(msg, '\0', sizeof(msg)) != NULL);
		FUZZ_ASSERT(strchr(msg, '\n') == NULL);
		FUZZ_ASSERT(off <= size);
	}
	arena_free(&ar);
	free(in);
	return 0;
}
