/* SPDX-License-Identifier: MIT */
/* sysctl.h -- the .conf files of /etc/sysctl.d, in the syntax of sysctl.conf(5).
 *
 *   # comment          ; comment          (blank lines are ignored too)
 *   net.core.rmem_max = 16777216
 *   kernel.hostname=tern
 *   -net.ipv4.tcp_ecn = 0                  '-': a missing key is no error
 *   net/ipv4/conf/eth0.100/rp_filter = 1   first separator '/': a path
 *
 * The key names a file under /proc/sys.  If its first separator is a dot,
 * dots and slashes trade places ("net.ipv4.conf.eth0/100.rp_filter" is
 * .../eth0.100/rp_filter); if it is a slash, the key is used as written.
 * The value is everything after '=', blanks at both ends removed; a '#'
 * after the value is part of it, as in procps.  A line is bad when it
 * has no '=', an empty key or value, a blank or control character in the
 * key, an empty, "." or ".." path component, a NUL byte, or more than
 * CONF_LINE_MAX bytes.
 */
#ifndef TERN_INIT_SYSCTL_H
#define TERN_INIT_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

#define SYSCTL_DIR "/etc/sysctl.d"
#define SYSCTL_PREFIX "/proc/sys/"

struct sysctl_setting {
	bool ignore_missing;                               /* the line began with '-' */
	char key[CONF_LINE_MAX + 1];                       /* as written, for messages */
	char path[sizeof SYSCTL_PREFIX + CONF_LINE_MAX];   /* /proc/sys/... */
	char value[CONF_LINE_MAX + 1];
};

/* Parse one line; on CONF_BAD *err says why.  Pure: no I/O. */
enum conf_result sysctl_parse_line(const char *line, size_t len,
				   struct sysctl_setting *s, const char **err);

/* Apply every .conf file in SYSCTL_DIR, in strcmp order (sysctl_apply.c).  A
 * bad line, an unknown key or a refused value is logged as file:line and
 * the rest still applies. */
void sysctl_apply_dir(void);

#endif
