/* SPDX-License-Identifier: MIT */
/* fwupdate_release -- libFuzzer: release_parse_line (app/fwupdate/release.c)
 * on every line of any release file, cut as conf_read_fd cuts them, and
 * release_load on the whole file (a memfd, by its /proc/self/fd path).
 *
 * What release.h promises and is checked here: a line taken has no NUL
 * and sets the field it names to its value word, whole: a board a bundle
 * header can carry, or a version MAJOR.MINOR.PATCH that fw_version_parse
 * gives back digit for digit; a bad line says why; and release_load
 * succeeds only with both fields set, each as the last good line of its
 * key gave it, and otherwise says why.  Each line is also given to
 * fwfloor_parse (app/lib/fwfloor.c), the anti-rollback floor's text: what
 * it takes prints back byte for byte. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fwfloor.h"
#include "release.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The second word of l (n bytes), its length. */
static size_t value(const char *l, size_t n, const char **w)
{
	size_t i = 0, k = 0;

	while (i < n && conf_is_blank(l[i]))
		i++;
	while (i < n && !conf_is_blank(l[i]))
		i++;
	while (i < n && conf_is_blank(l[i]))
		i++;
	*w = l + i;
	while (i + k < n && !conf_is_blank(l[i + k]))
		k++;
	return k;
}

static void check(const struct release *r)
{
	char text[TFW_VERSION_SIZE];
	struct fw_version v;

	if (r->board[0])
		assert(tfw_board_valid(r->board) == 0);
	if (r->version[0]) {
		assert(strnlen(r->version, sizeof r->version) < sizeof r->version);
		assert(fw_version_parse(r->version, &v) == 0);
		assert(v.major == r->v.major && v.minor == r->v.minor && v.patch == r->v.patch);
		snprintf(text, sizeof text, "%u.%u.%u", v.major, v.minor, v.patch);
		assert(!strcmp(text, r->version));
	}
}

/* A line as the floor file's text, with its newline and without. */
static void floor_line(const char *l, size_t n)
{
	char text[FWFLOOR_TEXT_MAX + 2], *nl = malloc(n + 1);
	struct fw_version v;
	int len;

	assert(nl);
	memcpy(nl, l, n);
	nl[n] = '\n';
	if (fwfloor_parse(l, n, &v) == 0) {
		len = snprintf(text, sizeof text, "%u.%u.%u", v.major, v.minor, v.patch);
		assert((size_t)len == n && !memcmp(text, l, n));
		assert(fwfloor_parse(nl, n + 1, &v) == 0);
	} else {
		assert(fwfloor_parse(nl, n + 1, &v) < 0);
	}
	free(nl);
}

/* One line into r. */
static void line(struct release *r, const uint8_t *p, size_t len)
{
	size_t n = len <= CONF_LINE_MAX ? len : CONF_LINE_MAX + 1, k;
	char *l = malloc(n ? n : 1), why[CONF_WHY_MAX];
	struct release was = *r;
	const char *w;

	assert(l);
	memcpy(l, p, n);
	floor_line(l, n);
	why[0] = '\0';
	switch (release_parse_line(l, n, r, why)) {
	case CONF_BAD:
		assert(why[0] && strnlen(why, sizeof why) < sizeof why);
		/* fall through */
	case CONF_SKIP:
		assert(!memcmp(&was, r, sizeof was));
		break;
	case CONF_OK:
		assert(!memchr(l, '\0', n));
		k = value(l, n, &w);
		assert(k > 0);
		if (!strncmp(l + strspn(l, " \t\r\v\f"), "board", 5))
			assert(strlen(r->board) == k && !memcmp(w, r->board, k) &&
			       !strcmp(was.version, r->version));
		else
			assert(strlen(r->version) == k && !memcmp(w, r->version, k) &&
			       !strcmp(was.board, r->board));
		check(r);
		break;
	}
	free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct release r, loaded;
	char why[RELEASE_WHY_MAX], path[64];
	const uint8_t *p = data, *end = data + size;
	bool bad = false;
	int fd;

	memset(&r, 0, sizeof r);
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *eol = nl ? nl : end;
		size_t n = (size_t)(eol - p);
		char whyl[CONF_WHY_MAX];
		struct release probe = r;

		/* The loader stops at the first bad line. */
		if (!bad) {
			char *l = malloc(n <= CONF_LINE_MAX ? (n ? n : 1) : CONF_LINE_MAX + 1);
			size_t m = n <= CONF_LINE_MAX ? n : CONF_LINE_MAX + 1;

			assert(l);
			memcpy(l, p, m);
			bad = release_parse_line(l, m, &probe, whyl) == CONF_BAD;
			free(l);
			line(&r, p, n);
		}
		p = eol + 1;
	}
	fd = memfd_create("release", MFD_CLOEXEC);
	assert(fd >= 0);
	assert(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	why[0] = '\0';
	if (release_load(path, &loaded, why) == 0) {
		assert(!bad && r.board[0] && r.version[0]);
		assert(!strcmp(loaded.board, r.board) && !strcmp(loaded.version, r.version));
		check(&loaded);
	} else {
		assert(why[0] && (bad || !r.board[0] || !r.version[0]));
	}
	close(fd);
	return 0;
}
