/* SPDX-License-Identifier: MIT */
/* services.c -- one line of /etc/tern/services.  Pure: no I/O.
 *
 * The file lists the services init starts at boot, in file order, one a
 * line:
 *
 *     name  policy  command [args...]
 *
 *   name     1 to 31 of A-Z a-z 0-9 _ . - ; unique in the file
 *   policy   respawn  restarted when it exits: 1 s after the first exit,
 *                     the delay doubling up to 60 s, back to 1 s once a
 *                     run lasted 30 s
 *            once     started at boot, not restarted
 *   role     the service starts only on a box of that role (tern.role= on
 *            the kernel command line, default "server"): 1 to 15 name
 *            characters.  role=server marks a service that answers other
 *            machines, which a netbooted lab client (tern.role=client)
 *            must not run.  Without it: every role.
 *   command  an absolute path, executed directly (no shell, no PATH search)
 *   args     split on blanks (spaces and tabs); no quoting, no escapes, no
 *            variables; at most 64 words counting the command
 *
 * A line whose first non-blank character is '#' is a comment; blank lines
 * are ignored; a '#' later in a line is an ordinary character.  A line of
 * more than 1024 bytes, or with a NUL byte, is bad.  A bad line is reported
 * as file:line and skipped; the other services still start.
 *
 * Each service runs in its own session with stdin on /dev/null, stdout
 * and stderr on a pipe to init (see output.h), and init's environment.
 */
#include "services.h"

#include <string.h>

static const struct {
	const char *word;
	enum service_policy policy;
} policies[] = {
	{ "respawn", SERVICE_RESPAWN },
	{ "once", SERVICE_ONCE },
};

/* Split line into words, copied NUL-terminated into out; word[i] is the
 * offset of word i.  Returns the number of words, or -1 if more than max. */
static int split(const char *line, size_t len, char *out, size_t word[], int max)
{
	size_t i = 0, o = 0;
	int n = 0;

	for (;;) {
		while (i < len && conf_is_blank(line[i]))
			i++;
		if (i == len)
			return n;
		if (n == max)
			return -1;
		word[n++] = o;
		while (i < len && !conf_is_blank(line[i]))
			out[o++] = line[i++];
		out[o++] = '\0';
	}
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SERVICE_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!conf_is_name_char(*s))
			return 0;
	return 1;
}

static int policy_of(const char *word, enum service_policy *p)
{
	for (size_t i = 0; i < sizeof policies / sizeof *policies; i++)
		if (!strcmp(word, policies[i].word)) {
			*p = policies[i].policy;
			return 1;
		}
	return 0;
}

enum conf_result service_parse_line(const char *line, size_t len,
				    struct service_spec *s, const char **err)
{
	char words[CONF_LINE_MAX + 1];
	size_t at[SERVICE_ARGV_MAX + 3];
	size_t first = 0;
	int n, cmd = 2; /* the word the command is */

	if (len > CONF_LINE_MAX)
		return conf_bad(err, "line too long (more than 1024 bytes)");
	if (memchr(line, '\0', len))
		return conf_bad(err, "NUL byte in line");
	while (first < len && conf_is_blank(line[first]))
		first++;
	if (first == len || line[first] == '#')
		return CONF_SKIP;
	n = split(line, len, words, at, SERVICE_ARGV_MAX + 3);
	if (n < 0)
		return conf_bad(err, "too many arguments (at most 64 words with the command)");
	if (!name_ok(words))
		return conf_bad(err, "bad service name (1-31 of A-Z a-z 0-9 _ . -)");
	if (n < 2)
		return conf_bad(err, "missing policy (respawn or once)");
	if (!policy_of(words + at[1], &s->policy))
		return conf_bad(err, "unknown policy (expected respawn or once)");
	s->role[0] = '\0';
	if (n > 2 && !strncmp(words + at[2], "role=", 5)) {
		const char *role = words + at[2] + 5;

		if (!name_ok(role) || strlen(role) > SERVICE_ROLE_MAX)
			return conf_bad(err, "bad role (role=NAME, 1-15 of A-Z a-z 0-9 _ . -)");
		strcpy(s->role, role);
		cmd = 3;
	}
	if (n - cmd > SERVICE_ARGV_MAX)
		return conf_bad(err, "too many arguments (at most 64 words with the command)");
	if (n < cmd + 1)
		return conf_bad(err, "missing command");
	if (words[at[cmd]] != '/')
		return conf_bad(err, "command is not an absolute path");
	strcpy(s->name, words);
	s->argc = (size_t)(n - cmd);
	memcpy(s->args, words + at[cmd], at[n - 1] + strlen(words + at[n - 1]) + 1 - at[cmd]);
	return CONF_OK;
}

size_t service_argv(const struct service_spec *s, const char *argv[SERVICE_ARGV_MAX + 1])
{
	const char *p = s->args;

	for (size_t i = 0; i < s->argc; i++) {
		argv[i] = p;
		p += strlen(p) + 1;
	}
	argv[s->argc] = NULL;
	return s->argc;
}

const char *service_policy_name(enum service_policy p)
{
	for (size_t i = 0; i < sizeof policies / sizeof *policies; i++)
		if (policies[i].policy == p)
			return policies[i].word;
	return "?";
}
