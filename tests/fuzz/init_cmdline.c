/* SPDX-License-Identifier: MIT */
/* init_cmdline -- libFuzzer: cmdline_parse (app/init/cmdline.c) on any
 * kernel command line, NULs and all.
 *
 * What cmdline.h promises and is checked here: at most 16 keys, each once,
 * 1-31 of [A-Za-z0-9_.-]; values of at most 255 bytes without control
 * characters, empty when bare; a rejected word counted, the first one's
 * place inside the line; and what was kept, written back as a command
 * line (tern.key="value"), parses again to the same keys and values with
 * nothing rejected, cmdline_get and cmdline_flag answering as before. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cmdline c, again;

static bool key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '.' || ch == '-';
}

static void check(const struct cmdline *p, size_t len)
{
	assert(p->n <= CMDLINE_ARGS_MAX);
	assert(!p->bad == !p->err);
	if (p->bad)
		assert(p->err_len > 0 && p->err_at + p->err_len <= len);
	for (size_t i = 0; i < p->n; i++) {
		const struct cmdline_arg *a = &p->arg[i];
		size_t k = strnlen(a->key, sizeof a->key), v = strnlen(a->value, sizeof a->value);

		assert(k >= 1 && k <= CMDLINE_KEY_MAX && v <= CMDLINE_VALUE_MAX);
		for (size_t j = 0; j < k; j++)
			assert(key_char(a->key[j]));
		for (size_t j = 0; j < v; j++)
			assert((unsigned char)a->value[j] >= 0x20 && a->value[j] != 0x7f);
		assert(!a->bare || v == 0);
		for (size_t j = 0; j < i; j++)
			assert(strcmp(p->arg[j].key, a->key));
		assert(cmdline_get(p, a->key) == a->value);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);
	/* Every kept word back: tern. key = " value ", a blank between. */
	char text[CMDLINE_ARGS_MAX * (5 + CMDLINE_KEY_MAX + 3 + CMDLINE_VALUE_MAX + 1) + 1];
	size_t n = 0;

	assert(line);
	memcpy(line, data, size);
	assert(cmdline_parse(&c, line, size) == c.bad);
	check(&c, size);
	for (size_t i = 0; i < c.n; i++) {
		const struct cmdline_arg *a = &c.arg[i];

		if (a->bare)
			n += (size_t)sprintf(text + n, "tern.%s ", a->key);
		else
			n += (size_t)sprintf(text + n, "tern.%s=\"%s\" ", a->key, a->value);
	}
	assert(n < sizeof text);
	assert(cmdline_parse(&again, text, n) == 0);
	check(&again, n);
	assert(again.n == c.n);
	for (size_t i = 0; i < c.n; i++) {
		assert(!strcmp(again.arg[i].key, c.arg[i].key));
		assert(!strcmp(again.arg[i].value, c.arg[i].value));
		assert(again.arg[i].bare == c.arg[i].bare);
		assert(cmdline_flag(&again, c.arg[i].key) == cmdline_flag(&c, c.arg[i].key));
	}
	free(line);
	return 0;
}
