/*
 * replay.c - a plain driver for the fuzz targets, without libFuzzer:
 * feeds every file named on the command line, or found (one level deep,
 * in name order) in a folder named there, to LLVMFuzzerTestOneInput.
 * Built with ASan and UBSan by fuzz.mk (replay-bin) and run by replay.sh,
 * so the seeds and tests/fuzz/regress/ rerun in the normal test run.
 * Names each file on stderr before running it, so a report says which.
 * Exit 0 when every file ran, 1 when one could not be read.
 *
 * Built with -DREPLAY_SANDBOX (fuzz.mk sandbox-bin, no sanitizer), it
 * reads every input first, then enters the sandbox as the server does
 * (sandbox_enter with the fixtures' configuration) and only then runs
 * them: the request path under the production seccomp filter and
 * Landlock rules.  Exit 1 when the sandbox cannot be entered.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef REPLAY_SANDBOX
#include "endsession.h"
#endif

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

static size_t	 nrun;

#ifdef REPLAY_SANDBOX
/* Inputs read before the sandbox is entered, run after. */
struct input {
	char	*name;
	uint8_t	*p;
	size_t	 sz;
};
static struct input	*inputs;
static size_t		 ninputs;
#endif

static int
one(const char *path)
{
	FILE		*f;
	uint8_t		*p = NULL, *np;
	size_t		 sz = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return 0;
	}
	for (;;) {
		if (cap - sz < 4096) {
			if ((np = realloc(p, cap * 2 + 4096)) == NULL) {
				free(p);
				fclose(f);
				return 0;
			}
			p = np;
			cap = cap * 2 + 4096;
		}
		if ((n = fread(p + sz, 1, cap - sz, f)) == 0)
			break;
		sz += n;
	}
	fclose(f);
#ifdef REPLAY_SANDBOX
	{
		struct input	*ni;

		if ((ni = realloc(inputs, (ninputs + 1) * sizeof(*ni))) ==
		    NULL || (ni[ninputs].name = strdup(path)) == NULL) {
			if (ni != NULL)
				inputs = ni;
			free(p);
			return 0;
		}
		inputs = ni;
		ni[ninputs].p = p;
		ni[ninputs].sz = sz;
		ninputs++;
		return 1;
	}
#endif
	fprintf(stderr, "replay: %s\n", path);
	/* An exact-size copy, so that ASan sees any read past the end. */
	if ((np = malloc(sz == 0 ? 1 : sz)) == NULL) {
		free(p);
		return 0;
	}
	memcpy(np, p, sz);
	free(p);
	LLVMFuzzerTestOneInput(np, sz);
	free(np);
	nrun++;
	return 1;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
dir(const char *path)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		**names = NULL, **nn, buf[4096];
	size_t		 n = 0, i;
	int		 ok = 1;

	if ((d = opendir(path)) == NULL) {
		perror(path);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*names))) == NULL ||
		    (nn[n] = strdup(de->d_name)) == NULL) {
			ok = 0;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s/%s", path, names[i]);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && !one(buf))
			ok = 0;
		free(names[i]);
	}
	free(names);
	return ok;
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	int		 i, ok = 1;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1)
			continue;	/* no regress folder yet */
		if (S_ISDIR(st.st_mode) ? !dir(argv[i]) : !one(argv[i]))
			ok = 0;
	}
#ifdef REPLAY_SANDBOX
	{
		struct conf	 c;
		struct es_err	 err;
		const char	*why;
		char		 path[1024];
		size_t		 k;
		uint8_t		*np;

		snprintf(path, sizeof(path), "%s/endsession.conf", FUZZ_DATA);
		memset(&err, 0, sizeof(err));
		if (!conf_load(path, &c, &err)) {
			fprintf(stderr, "replay: %s: %s\n", path, err.msg);
			return 1;
		}
		if (sandbox_enter(&c, &why) != SANDBOX_ON) {
			fprintf(stderr, "replay: no sandbox: %s\n",
			    why != NULL ? why : "?");
			return 1;
		}
		fprintf(stderr, "replay: sandboxed%s%s\n",
		    why != NULL ? ": " : "", why != NULL ? why : "");
		for (k = 0; k < ninputs; k++) {
			fprintf(stderr, "replay: %s\n", inputs[k].name);
			/* An exact-size copy, as above. */
			if ((np = malloc(inputs[k].sz == 0 ? 1 :
			    inputs[k].sz)) == NULL)
				return 1;
			memcpy(np, inputs[k].p, inputs[k].sz);
			LLVMFuzzerTestOneInput(np, inputs[k].sz);
			free(np);
			free(inputs[k].p);
			free(inputs[k].name);
			nrun++;
		}
		free(inputs);
		conf_free(&c);
	}
#endif
	fprintf(stderr, "replay: %zu inputs\n", nrun);
	return ok ? 0 : 1;
}
