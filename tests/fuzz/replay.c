/*
 * replay.c - a plain driver for the fuzz targets, without libFuzzer:
 * feeds every file named on the command line, or found (one level deep,
 * in name order) in a folder named there, to LLVMFuzzerTestOneInput.
 * Built with ASan and UBSan by fuzz.mk (replay-bin) and run by replay.sh,
 * so the seeds and tests/fuzz/regress/ rerun in the normal test run.
 * Names each file on stderr before running it, so a report says which.
 * Exit 0 when every file ran, 1 when one could not be read.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

static size_t	 nrun;

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
	fprintf(stderr, "replay: %zu inputs\n", nrun);
	return ok ? 0 : 1;
}
