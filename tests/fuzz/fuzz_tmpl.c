/*
 * fuzz_tmpl.c - tmpl_load and tmpl_render over an operator's template.
 * At start the real templates (TEMPLATEDIR) are copied to a temporary
 * folder; each input's first byte picks one of the eight files (locale x
 * page), the rest of the input replaces it, the set is loaded and every
 * page rendered, and the file is put back.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef TEMPLATEDIR
#define TEMPLATEDIR	"templates"
#endif

static const char *const files[8] = {
	"en/confirm.html", "en/signed-out.html", "en/error.html",
	"en/stayed.html", "sv/confirm.html", "sv/signed-out.html",
	"sv/error.html", "sv/stayed.html",
};
static char	 dir[64];
static char	*orig[8];
static size_t	 origsz[8];

static void
put(const char *name, const void *p, size_t sz)
{
	char	 path[256];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    (sz > 0 && fwrite(p, 1, sz, f) != sz) || fclose(f) != 0)
		abort();
}

static void
cleanup(void)
{
	char	 path[256];
	size_t	 i;

	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
		free(orig[i]);
	}
	snprintf(path, sizeof(path), "%s/en", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sv", dir);
	rmdir(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct es_err	 err;
	char		 path[1024];
	const char	*tmp;
	size_t		 i;

	(void)argc;
	(void)argv;
	/* Memory-backed when possible: each input writes two files. */
	if ((tmp = getenv("TMPDIR")) == NULL || strlen(tmp) >= 32)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/es-fuzz-tmpl.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/en", dir);
	if (mkdir(path, 0700) == -1)
		abort();
	snprintf(path, sizeof(path), "%s/sv", dir);
	if (mkdir(path, 0700) == -1)
		abort();
	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "%s/%s", TEMPLATEDIR, files[i]);
		if (!file_read(path, LIM_TMPL_SZ, &orig[i], &origsz[i], &err)) {
			fprintf(stderr, "fuzz: %s: %s\n", path, err.msg);
			abort();
		}
		put(files[i], orig[i], origsz[i]);
	}
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmplset	*ts;
	struct es_err	 err;
	struct tval	 tv[TV__MAX];
	struct buf	 b = { NULL, 0, 0, 0 };
	size_t		 i, l, p, which;

	if (size < 1)
		return 0;
	which = data[0] % 8;
	put(files[which], data + 1, size - 1);
	memset(&err, 0, sizeof(err));
	if ((ts = tmpl_load(dir, &err)) != NULL) {
		memset(tv, 0, sizeof(tv));
		tv[TV_LANG] = (struct tval){ "en", 2, 0 };
		tv[TV_ACTION] = (struct tval){ "/end", 4, 0 };
		tv[TV_CONFIRM_FIELDS] = (struct tval){ "<input>", 7, 1 };
		tv[TV_CLIENT_NAME] = (struct tval){ "<&\"'>", 5, 0 };
		tv[TV_MESSAGE] = (struct tval){ "m", 1, 0 };
		for (l = 0; l < LOC__MAX; l++)
			for (p = 0; p < PAGE__MAX; p++) {
				buf_reset(&b);
				FUZZ_ASSERT(tmpl_render(ts, (enum locale)l,
				    (enum page)p, tv, &b));
				buf_reset(&b);
				FUZZ_ASSERT(tmpl_render(ts, (enum locale)l,
				    (enum page)p, NULL, &b));
			}
		tmpl_free(ts);
	} else
		FUZZ_ASSERT(err.msg[0] != '\0');
	buf_free(&b);
	put(files[which], orig[which], origsz[which]);
	return 0;
}
