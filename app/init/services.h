/* SPDX-License-Identifier: MIT */
/* services.h -- one line of /etc/tern/services; the format is described at
 * the top of services.c. */
#ifndef TERN_INIT_SERVICES_H
#define TERN_INIT_SERVICES_H

#include <stddef.h>

#include "conf.h"

#define SERVICES_FILE "/etc/tern/services"
#define SERVICE_NAME_MAX 31
#define SERVICE_ARGV_MAX 64 /* the command and its arguments */
#define SERVICE_ROLE_MAX 15
#define SERVICE_ROLE_DEFAULT "server" /* the box's role without tern.role= */

enum service_policy { SERVICE_RESPAWN, SERVICE_ONCE };

struct service_spec {
	char name[SERVICE_NAME_MAX + 1];
	enum service_policy policy;
	char role[SERVICE_ROLE_MAX + 1]; /* "": every role; else only on a box of this role */
	size_t argc;                  /* 1..SERVICE_ARGV_MAX */
	char args[CONF_LINE_MAX + 1]; /* argc words, each NUL-terminated, in a row */
};

/* Parse one line; on CONF_BAD *err says why.  Pure: no I/O.  A spec holds
 * no pointers, so it may be copied freely. */
enum conf_result service_parse_line(const char *line, size_t len,
				    struct service_spec *s, const char **err);

/* Point argv[0..argc-1] at the words of s and set argv[argc] = NULL;
 * returns argc.  Async-signal-safe, for the child between fork and exec. */
size_t service_argv(const struct service_spec *s, const char *argv[SERVICE_ARGV_MAX + 1]);

const char *service_policy_name(enum service_policy p);

#endif
