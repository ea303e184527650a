/* SPDX-License-Identifier: MIT */
/* cmdline.h -- the tern.<key>=<value> words of the kernel command line.
 *
 * The line is split the way the kernel splits it: words separated by
 * blanks, a double quote anywhere in a word starts or ends a quoted part in
 * which blanks do not split, and the quotes themselves are removed (so
 * tern.motd="a b" and "tern.motd=a b" both give motd = "a b").  There are
 * no escapes.  Words that do not begin with "tern." are not ours and are
 * skipped whatever they contain.
 *
 * A tern. word is kept as key (after "tern.", 1-31 of [A-Za-z0-9_.-]) and
 * value (up to 255 bytes, no control characters); a bare "tern.<key>"
 * has an empty value and is marked bare.  A later word for the same key
 * replaces the earlier one.  A tern. word that is malformed (empty or too
 * long key, bad key character, value too long, unterminated quote) or that
 * does not fit in the table is rejected; the others are still kept.
 */
#ifndef TERN_INIT_CMDLINE_H
#define TERN_INIT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_ARGS_MAX 16
#define CMDLINE_KEY_MAX 31
#define CMDLINE_VALUE_MAX 255

struct cmdline_arg {
	char key[CMDLINE_KEY_MAX + 1];
	char value[CMDLINE_VALUE_MAX + 1];
	bool bare; /* "tern.<key>" without '=' */
};

struct cmdline {
	size_t n;
	struct cmdline_arg arg[CMDLINE_ARGS_MAX];
	size_t bad;            /* tern. words rejected */
	const char *err;       /* why the first one was, or NULL */
	size_t err_at, err_len; /* and where it is in the line */
};

/* Parse len bytes of line (a NUL is an ordinary byte) into c, which is
 * cleared first.  Returns c->bad. */
size_t cmdline_parse(struct cmdline *c, const char *line, size_t len);

/* The value of tern.<key>, or NULL when the line has none. */
const char *cmdline_get(const struct cmdline *c, const char *key);

/* tern.<key> is on: given bare, or with 1, y, yes, on or true (any case). */
bool cmdline_flag(const struct cmdline *c, const char *key);

#endif
