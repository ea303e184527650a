/* SPDX-License-Identifier: MIT */
/* remap.h -- filename remapping rules, in the syntax of tftpd-hpa's
 * --map-file (tftpd(8), "FILENAME REMAPPING"), a documented subset of it.
 *
 *   # Windows boot files ask for boot\bcd: backslashes become slashes.
 *   rg   \\               /
 *   # a file per client: pxelinux.cfg/default -> hosts/192.0.2.7/default
 *   re   ^pxelinux\.cfg/  hosts/\i/
 *   # never serve keys
 *   ai   \.(key|pem)$
 *
 * One rule a line: flags, a POSIX extended regular expression (regcomp),
 * and for r a replacement.  Fields are separated by blanks; a backslash
 * makes the next blank or '#' part of the field; an unescaped '#' starts a
 * comment.  Rules are tried from the top, each on the result of the ones
 * before; every rule whose regex matches takes effect.
 *
 *   r  replace the first match with the replacement
 *   g  with r: every match, left to right; what a replacement wrote is not
 *      searched again (sed's s///g; tftpd-hpa's "gg"), so a rule always
 *      ends -- tftpd-hpa's g searches its own output anew and needs a step
 *      limit to stop
 *   i  match without regard to case
 *   e  if it matches, stop after this rule
 *   a  if it matches, refuse the request (access violation)
 *   G  only for reads (RRQ);  P  only for writes (WRQ)
 *
 * In the replacement: \0 the whole match, \1..\9 its groups (a group the
 * regex does not have is a bad line), \i the client's address as text
 * (192.0.2.7, 2001:db8::7), \\ a backslash, "\ " a blank, \# a '#'.
 * Not supported, each a bad line: tftpd-hpa's labels and j, s, E, ~, 4, 6,
 * \x, \U, \L, \E.  A line is also bad for g without r, a with r or e, G with
 * P, a replacement without r, text after the replacement, a regex that does
 * not compile, more than REMAP_RULES_MAX rules, or more than CONF_LINE_MAX
 * bytes.
 */
#ifndef TERN_TFTPD_REMAP_H
#define TERN_TFTPD_REMAP_H

#include <limits.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

#define REMAP_RULES_MAX 64
#define REMAP_NAME_MAX (PATH_MAX - 1) /* longest name in or out, NUL excluded */
#define REMAP_WHY_MAX CONF_WHY_MAX /* a bad line's message (conf.h) */

enum remap_flag {
	REMAP_REPLACE = 1 << 0, /* r */
	REMAP_GLOBAL = 1 << 1,  /* g */
	REMAP_ICASE = 1 << 2,   /* i */
	REMAP_END = 1 << 3,     /* e */
	REMAP_DENY = 1 << 4,    /* a */
	REMAP_GET = 1 << 5,     /* G */
	REMAP_PUT = 1 << 6,     /* P */
};

struct remap_rule {
	unsigned flags;
	regex_t re;
	char replacement[CONF_LINE_MAX + 1]; /* as written, escapes and all */
};

struct remap_rules {
	size_t n;
	struct remap_rule rule[REMAP_RULES_MAX];
};

/* Parse one line.  CONF_OK: *r holds a compiled regex (remap_rule_free
 * it); CONF_BAD: why says what is wrong and nothing is left to free. */
enum conf_result remap_parse_line(const char *line, size_t len, struct remap_rule *r,
				  char why[REMAP_WHY_MAX]);
void remap_rule_free(struct remap_rule *r);

/* The rules of the file path, allocated, or NULL: every bad line is logged
 * as "path:line: why" (and an unreadable file as such) and nothing is
 * kept, so the caller's rules stay in force.  remap_free releases them.
 * remap_load_at opens name relative to the directory dirfd (AT_FDCWD: as
 * remap_load) and names the file path in what it logs: a reload inside a
 * chroot reads the file through a directory opened before it. */
struct remap_rules *remap_load(const char *path);
struct remap_rules *remap_load_at(int dirfd, const char *name, const char *path);
void remap_free(struct remap_rules *rules);

enum remap_result {
	REMAP_OK,       /* out holds the name, rewritten or not */
	REMAP_DENIED,   /* an a rule matched */
	REMAP_TOO_LONG, /* the name, or a rule's result, is over REMAP_NAME_MAX
			   bytes or does not fit in size */
};

/* Apply rules to name for a read (put false) or a write from the client
 * whose address is the text client.  Pure (regexec only). */
enum remap_result remap_apply(const struct remap_rules *rules, bool put, const char *name,
			      const char *client, char *out, size_t size);

#endif
