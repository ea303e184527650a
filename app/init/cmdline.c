/* SPDX-License-Identifier: MIT */
/* cmdline.c -- see cmdline.h.  Pure: no I/O, no allocation. */
#include "cmdline.h"

#include <string.h>
#include <strings.h>

static const char prefix[] = "tern.";
#define PREFIX_LEN (sizeof prefix - 1)
/* The longest tern. word that can be valid: "tern." key '=' value. */
#define WORD_MAX (PREFIX_LEN + CMDLINE_KEY_MAX + 1 + CMDLINE_VALUE_MAX)

struct word {
	size_t at, span; /* where it is in the line, quotes included */
	size_t len;      /* its length without quotes; may exceed WORD_MAX */
	bool open_quote; /* the line ended inside a quote */
	char text[WORD_MAX + 1];
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static bool is_control(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

/* The next word from *pos, quotes removed, its first WORD_MAX bytes in
 * w->text.  Returns false at the end of the line. */
static bool next_word(const char *line, size_t len, size_t *pos, struct word *w)
{
	size_t i = *pos;
	bool quoted = false;

	while (i < len && is_blank(line[i]))
		i++;
	if (i == len)
		return false;
	w->at = i;
	w->len = 0;
	for (; i < len && (quoted || !is_blank(line[i])); i++) {
		if (line[i] == '"') {
			quoted = !quoted;
			continue;
		}
		if (w->len < WORD_MAX)
			w->text[w->len] = line[i];
		w->len++;
	}
	w->text[w->len < WORD_MAX ? w->len : WORD_MAX] = '\0';
	w->span = i - w->at;
	w->open_quote = quoted;
	*pos = i;
	return true;
}

/* Why a tern. word cannot be kept, or NULL; *klen is its key's length. */
static const char *check_word(const struct word *w, size_t *klen)
{
	size_t kept = w->len < WORD_MAX ? w->len : WORD_MAX;
	const char *eq = memchr(w->text, '=', kept);
	size_t key_end = eq ? (size_t)(eq - w->text) : w->len;

	if (w->open_quote)
		return "unterminated quote";
	*klen = key_end - PREFIX_LEN;
	if (*klen == 0)
		return "empty key";
	if (*klen > CMDLINE_KEY_MAX)
		return "key longer than 31 bytes";
	for (size_t i = PREFIX_LEN; i < key_end; i++)
		if (!is_key_char(w->text[i]))
			return "bad character in key (allowed: A-Z a-z 0-9 _ . -)";
	if (eq && w->len - key_end - 1 > CMDLINE_VALUE_MAX)
		return "value longer than 255 bytes";
	for (size_t i = key_end; i < kept; i++)
		if (is_control(w->text[i]))
			return "control character in value";
	return NULL;
}

static struct cmdline_arg *slot(struct cmdline *c, const char *key, size_t klen)
{
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->arg[i].key) == klen && !memcmp(c->arg[i].key, key, klen))
			return &c->arg[i];
	return c->n < CMDLINE_ARGS_MAX ? &c->arg[c->n++] : NULL;
}

static void reject(struct cmdline *c, const struct word *w, const char *why)
{
	if (!c->bad++) {
		c->err = why;
		c->err_at = w->at;
		c->err_len = w->span;
	}
}

static void keep(struct cmdline *c, const struct word *w)
{
	struct cmdline_arg *a;
	const char *why;
	size_t klen;

	if ((why = check_word(w, &klen))) {
		reject(c, w, why);
		return;
	}
	if (!(a = slot(c, w->text + PREFIX_LEN, klen))) {
		reject(c, w, "more than 16 tern. keys");
		return;
	}
	memcpy(a->key, w->text + PREFIX_LEN, klen);
	a->key[klen] = '\0';
	a->bare = PREFIX_LEN + klen == w->len;
	strcpy(a->value, a->bare ? "" : w->text + PREFIX_LEN + klen + 1);
}

size_t cmdline_parse(struct cmdline *c, const char *line, size_t len)
{
	struct word w;
	size_t pos = 0;

	memset(c, 0, sizeof *c);
	while (next_word(line, len, &pos, &w))
		if (w.len >= PREFIX_LEN && !memcmp(w.text, prefix, PREFIX_LEN))
			keep(c, &w);
	return c->bad;
}

const char *cmdline_get(const struct cmdline *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->arg[i].key, key))
			return c->arg[i].value;
	return NULL;
}

bool cmdline_flag(const struct cmdline *c, const char *key)
{
	static const char *const on[] = { "1", "y", "yes", "on", "true" };

	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->arg[i].key, key))
			continue;
		if (c->arg[i].bare)
			return true;
		for (size_t j = 0; j < sizeof on / sizeof *on; j++)
			if (!strcasecmp(c->arg[i].value, on[j]))
				return true;
		return false;
	}
	return false;
}
