/* SPDX-License-Identifier: MIT */
/* init_services -- libFuzzer: service_parse_line (app/init/services.c) on
 * every line of any services file, cut as conf_read_fd cuts them.
 *
 * What services.c promises and is checked here: a line taken has no NUL,
 * a name of 1-31 of [A-Za-z0-9_.-], a policy that has a name, 1-64 words
 * from an absolute command on, none empty or holding a blank; the words
 * service_argv hands exec are the line's words after the policy, in
 * order; and the spec, written back as a line, parses to the same spec. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services.h"

#include "lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next word of l[*i..n), its length; 0 at the end. */
static size_t word(const char *l, size_t n, size_t *i, const char **w)
{
	size_t k;

	while (*i < n && conf_is_blank(l[*i]))
		(*i)++;
	*w = l + *i;
	for (k = 0; *i < n && !conf_is_blank(l[*i]); k++)
		(*i)++;
	return k;
}

static void line(const uint8_t *p, size_t len)
{
	size_t n = len <= CONF_LINE_MAX ? len : CONF_LINE_MAX + 1, i = 0, k;
	char *l = malloc(n ? n : 1), text[CONF_LINE_MAX + 1];
	const char *argv[SERVICE_ARGV_MAX + 1], *w, *err = NULL;
	struct service_spec s, again;
	size_t name_len;
	int m;

	assert(l);
	memcpy(l, p, n);
	switch (service_parse_line(l, n, &s, &err)) {
	case CONF_BAD:
		assert(err && *err);
		/* fall through */
	case CONF_SKIP:
		free(l);
		return;
	case CONF_OK:
		break;
	}
	assert(!memchr(l, '\0', n));
	name_len = strnlen(s.name, sizeof s.name);
	assert(name_len >= 1 && name_len <= SERVICE_NAME_MAX);
	for (size_t j = 0; j < name_len; j++)
		assert(conf_is_name_char(s.name[j]));
	assert(strcmp(service_policy_name(s.policy), "?"));
	assert(s.argc >= 1 && s.argc <= SERVICE_ARGV_MAX);
	assert(service_argv(&s, argv) == s.argc && argv[s.argc] == NULL);
	assert(argv[0][0] == '/');
	/* The words: name, policy, then argv, in the line's order. */
	k = word(l, n, &i, &w);
	assert(k == name_len && !memcmp(w, s.name, k));
	k = word(l, n, &i, &w);
	assert(k == strlen(service_policy_name(s.policy)) &&
	       !memcmp(w, service_policy_name(s.policy), k));
	if (s.role[0]) { /* role=ROLE, between the policy and the command */
		k = word(l, n, &i, &w);
		assert(k == 5 + strlen(s.role) && !memcmp(w, "role=", 5) && !memcmp(w + 5, s.role, k - 5));
	}
	for (size_t a = 0; a < s.argc; a++) {
		k = word(l, n, &i, &w);
		assert(k >= 1 && k == strlen(argv[a]) && !memcmp(w, argv[a], k));
		assert(argv[a] + k < s.args + sizeof s.args);
	}
	assert(word(l, n, &i, &w) == 0);
	/* Written back, one blank apart. */
	m = snprintf(text, sizeof text, "%s %s%s%s", s.name, service_policy_name(s.policy),
		     s.role[0] ? " role=" : "", s.role);
	for (size_t a = 0; a < s.argc; a++)
		m += snprintf(text + m, sizeof text - (size_t)m, " %s", argv[a]);
	assert((size_t)m < sizeof text);
	assert(service_parse_line(text, (size_t)m, &again, &err) == CONF_OK);
	assert(!strcmp(again.name, s.name) && again.policy == s.policy && again.argc == s.argc &&
	       !strcmp(again.role, s.role));
	for (size_t a = 0; a < s.argc; a++) {
		const char *b[SERVICE_ARGV_MAX + 1];

		service_argv(&again, b);
		assert(!strcmp(b[a], argv[a]));
	}
	free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lines(data, size, line);
	return 0;
}
