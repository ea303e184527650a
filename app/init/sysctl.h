/* sysctl.h -- the files in /etc/sysctl.d, in sysctl.conf(5) syntax. */
#ifndef TERN_INIT_SYSCTL_H
#define TERN_INIT_SYSCTL_H

#define SYSCTL_LINE_MAX 1024
#define SYSCTL_PATH_MAX 256
#define SYSCTL_VALUE_MAX 512

enum sysctl_kind { SYSCTL_NONE, SYSCTL_SET, SYSCTL_ERROR };

struct sysctl_setting {
	char path[SYSCTL_PATH_MAX];   /* "/proc/sys/net/core/rmem_max" */
	char value[SYSCTL_VALUE_MAX]; /* "16777216" */
	int ignore_missing;           /* the line began with '-' */
	const char *error;            /* why, for SYSCTL_ERROR */
};

/* Parse one line (without its newline).  Blank lines and comments ('#'
 * or ';') are SYSCTL_NONE; "key = value" (blanks optional) is SYSCTL_SET:
 * a key with dots has them turned into slashes, unless its first
 * separator is a slash, in which case it is used as written (so
 * "net/ipv4/conf/eth0.100/rp_filter" works).  A leading '-' means a
 * missing key is not an error. */
enum sysctl_kind sysctl_parse_line(const char *line, struct sysctl_setting *out);

/* Apply every *.conf in dir, in name order; "root" prefixes the
 * /proc/sys paths (empty on a real boot).  Problems are logged as
 * file:line: message.  Returns the number of problems. */
int sysctl_apply_dir(const char *dir, const char *root);

#endif
