# endsession - GNU make.  Output goes to build/ (build-asan/ for sanitizers).

PREFIX     ?= /usr/local
DESTDIR    ?=
SBINDIR    ?= $(PREFIX)/sbin
SHAREDIR   ?= $(PREFIX)/share/endsession
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc/endsession

B          ?= build
CC         ?= cc
PKGS        = fcgi yajl libcrypto liburiparser libseccomp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
# Only the token tool needs libjwt, only the unit tests CUnit.
JWT_LIBS    = $(shell pkg-config --libs libjwt)
CUNIT_LIBS  = $(shell pkg-config --libs cunit)
# The notifier alone links libcurl and SQLite; the endpoint never does.
NOTIFY_PKGS = libcurl sqlite3
NOTIFY_CFLAGS := $(shell pkg-config --cflags $(NOTIFY_PKGS))
NOTIFY_LIBS := $(shell pkg-config --libs $(NOTIFY_PKGS)) -pthread

OPT        ?= -O2
HARDEN      = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -fstack-clash-protection
# WERROR=1 (set by make check, make test and scripts/test) turns warnings
# into errors for development and CI; an operator's plain make does not.
WERROR     ?=
WARN        = -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -Wformat=2 -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes -Wvla
CFLAGS     ?=
CFLAGS     += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DOPENSSL_NO_DEPRECATED \
              -DTEMPLATEDIR='"$(SHAREDIR)/templates"' -DSYSCONFDIR='"$(SYSCONFDIR)"' \
              $(OPT) -g $(HARDEN) $(WARN) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS    += -pie -Wl,-z,relro,-z,now $(EXTRA_LDFLAGS)

# The notifier's own modules (libcurl, SQLite, inotify): never in the
# endpoint.  The core: every other src/*.c but the programs' mains.
NOTIFY_SRC := src/jfollow.c src/nstate.c src/deliver.c src/signq.c src/nsandbox.c
NOTIFY_OBJ := $(NOTIFY_SRC:src/%.c=$(B)/obj/%.o)
CORE_SRC   := $(filter-out src/main.c src/notify_main.c \
              $(NOTIFY_SRC), $(wildcard src/*.c))
CORE_OBJ   := $(CORE_SRC:src/%.c=$(B)/obj/%.o)
UNIT_SRC   := $(wildcard tests/unit/*.c)
UNIT_OBJ   := $(UNIT_SRC:tests/unit/%.c=$(B)/obj/unit/%.o)
# The test and demo signer (tests/tools/): shared by the unit tests and the
# token tool build/endsession-mint, which is never installed.
JOSE_OBJ   := $(B)/obj/tools/jose.o

all: $(B)/endsession $(B)/endsession-mint $(B)/endsession-notify

# endsession.h is the map every module reads; keytypes.h the insides of
# the key types, for jwks.c, sign.c and the tests that look at a key.
HDRS := src/endsession.h src/keytypes.h

# The benchmarks' C tools, built with every check so that they cannot rot.
BENCH_TOOLS := $(B)/bench/micro $(B)/bench/sigcheck $(B)/bench/checkfloor

$(B)/obj/%.o: src/%.c $(HDRS) | $(B)/obj
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/obj/unit/%.o: tests/unit/%.c $(HDRS) $(wildcard tests/unit/*.h) tests/tools/jose.h | $(B)/obj/unit
	$(CC) $(CFLAGS) -Isrc -Itests/tools -Wno-missing-prototypes -c -o $@ $<

$(B)/obj/tools/%.o: tests/tools/%.c src/endsession.h tests/tools/jose.h | $(B)/obj/tools
	$(CC) $(CFLAGS) -Isrc -c -o $@ $<

$(NOTIFY_OBJ) $(B)/obj/notify_main.o: CFLAGS += $(NOTIFY_CFLAGS) -pthread

$(B)/bench/%: bench/%.c $(HDRS) $(B)/libcore.a | $(B)/bench
	$(CC) $(CFLAGS) -Isrc -Wno-missing-prototypes $(LDFLAGS) -o $@ $< \
	    $(B)/libcore.a $(PKG_LIBS) -lm

$(B)/obj $(B)/obj/unit $(B)/obj/tools $(B)/bench:
	mkdir -p $@

$(B)/libcore.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/endsession: $(B)/obj/main.o $(B)/libcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/endsession-mint: $(B)/obj/tools/mint.o $(JOSE_OBJ) $(B)/libcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(JWT_LIBS) $(PKG_LIBS)

$(B)/libnotify.a: $(NOTIFY_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/endsession-notify: $(B)/obj/notify_main.o $(B)/libnotify.a $(B)/libcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(NOTIFY_LIBS) \
	    $(shell pkg-config --libs libcrypto liburiparser yajl libseccomp)

$(B)/unit-tests: $(UNIT_OBJ) $(JOSE_OBJ) $(B)/libnotify.a $(B)/libcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CUNIT_LIBS) $(PKG_LIBS) $(NOTIFY_LIBS)

# Development and CI builds fail on any warning.
check test test-asan test-tsan test-valgrind: WERROR = 1

# The crash matrix's LD_PRELOAD shim (tests/notify/crash.sh): built without
# the sanitizers' flags, whose runtime a preloaded library cannot precede.
$(B)/tests/crashat.so: tests/notify/crashat.c
	mkdir -p $(B)/tests
	$(CC) -std=c11 -O2 -g -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) \
	    -shared -fPIC -o $@ $< -ldl

# The quick suite: units, CGI tests and the fuzz corpus replay, in about
# a minute on two cores, with the build dependencies only (no web server,
# browser or node).
check: all $(B)/unit-tests $(BENCH_TOOLS)
	B=$(B) ONLY="unit cgi fuzz-replay" bash tests/run-all.sh

# The whole suite: units, CGI shell tests, then integration tests.
test: all $(B)/unit-tests $(BENCH_TOOLS) $(B)/tests/crashat.so
	B=$(B) bash tests/run-all.sh

unit: $(B)/unit-tests
	$(B)/unit-tests

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
# The census (part "sandbox") is left out: an ASan build cannot enter the
# sandbox, and the census of the production build covers that gap.
test-asan:
	SKIP="sandbox" $(MAKE) B=build-asan OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" test

# The notifier signs on a thread of its own (src/signq.c): its unit and
# notification tests under ThreadSanitizer.  The endpoint has no threads.
test-tsan:
	$(MAKE) B=build-tsan OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
	  EXTRA_LDFLAGS="-fsanitize=thread" all build-tsan/unit-tests
	B=build-tsan ONLY="unit notify" bash tests/run-all.sh

# The CGI tests and a FastCGI session under valgrind.
test-valgrind: all $(B)/unit-tests
	B=$(B) VALGRIND=1 ONLY="unit cgi nginx" bash tests/run-all.sh

# The endpoint and the notifier, never the token tool.
install: $(B)/endsession $(B)/endsession-notify
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SHAREDIR)/templates/en \
	  $(DESTDIR)$(SHAREDIR)/templates/sv $(DESTDIR)$(SHAREDIR)/etc $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(B)/endsession $(DESTDIR)$(SBINDIR)/endsession
	install -m 0755 $(B)/endsession-notify $(DESTDIR)$(SBINDIR)/endsession-notify
	install -m 0755 scripts/endsession-refresh $(DESTDIR)$(SBINDIR)/endsession-refresh
	install -m 0644 templates/en/*.html $(DESTDIR)$(SHAREDIR)/templates/en/
	install -m 0644 templates/sv/*.html $(DESTDIR)$(SHAREDIR)/templates/sv/
	install -m 0644 templates/style.css $(DESTDIR)$(SHAREDIR)/templates/
	cp -R etc/. $(DESTDIR)$(SHAREDIR)/etc/
	install -m 0644 endsession.8 $(DESTDIR)$(MANDIR)/man8/endsession.8
	install -m 0644 endsession.conf.5 $(DESTDIR)$(MANDIR)/man5/endsession.conf.5
	install -m 0644 endsession-notify.8 $(DESTDIR)$(MANDIR)/man8/endsession-notify.8

clean:
	rm -rf build build-asan build-tsan build-fuzz

.PHONY: all check test unit test-asan test-valgrind install clean

# Fuzzing (clang, libFuzzer): tests/fuzz/fuzz.mk builds and runs the targets.
FUZZ_SECONDS ?= 10
fuzz:
	$(MAKE) -f tests/fuzz/fuzz.mk FUZZ_SECONDS=$(FUZZ_SECONDS)

# Benchmarks side by side with the FastCGI floor: prints one table and
# writes it with its plot into $(B)/bench/.
bench: all
	B=$(B) bash bench/run
	B=$(B) bash bench/notify.sh

.PHONY: fuzz bench
