#include "cmdline.h"

#include <string.h>
#include <strings.h>

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Copy the next word of *p into word (quotes removed); 0 at the end. */
static int next_word(const char **p, char *word, size_t size, int *too_long)
{
	const char *s = *p;
	size_t n = 0;
	int quoted = 0;

	while (is_blank(*s))
		s++;
	if (!*s)
		return 0;
	*too_long = 0;
	for (; *s && (quoted || !is_blank(*s)); s++) {
		if (*s == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 < size)
			word[n++] = *s;
		else
			*too_long = 1;
	}
	word[n] = '\0';
	*p = s;
	return 1;
}

static void keep(struct cmdline *out, const char *key, size_t klen, const char *value)
{
	int i;

	if (klen == 0 || klen >= CMDLINE_KEY_MAX || strlen(value) >= CMDLINE_VALUE_MAX) {
		out->bad++;
		return;
	}
	for (i = 0; i < out->n; i++)
		if (strlen(out->kv[i].key) == klen && !memcmp(out->kv[i].key, key, klen))
			break;
	if (i == out->n) {
		if (out->n == CMDLINE_MAX) {
			out->bad++;
			return;
		}
		out->n++;
	}
	memcpy(out->kv[i].key, key, klen);
	out->kv[i].key[klen] = '\0';
	strcpy(out->kv[i].value, value);
}

void cmdline_parse(const char *text, struct cmdline *out)
{
	char word[CMDLINE_KEY_MAX + CMDLINE_VALUE_MAX + 8];
	int too_long;

	memset(out, 0, sizeof *out);
	while (next_word(&text, word, sizeof word, &too_long)) {
		if (strncmp(word, "tern.", 5))
			continue;
		if (too_long) {
			out->bad++;
			continue;
		}
		const char *key = word + 5;
		const char *eq = strchr(key, '=');
		if (eq)
			keep(out, key, (size_t)(eq - key), eq + 1);
		else
			keep(out, key, strlen(key), "1");
	}
}

const char *cmdline_get(const struct cmdline *cl, const char *key)
{
	for (int i = 0; i < cl->n; i++)
		if (!strcmp(cl->kv[i].key, key))
			return cl->kv[i].value;
	return NULL;
}

int cmdline_flag(const struct cmdline *cl, const char *key)
{
	const char *v = cmdline_get(cl, key);
	static const char *const yes[] = { "1", "y", "yes", "on", "true" };

	for (size_t i = 0; v && i < sizeof yes / sizeof *yes; i++)
		if (!strcasecmp(v, yes[i]))
			return 1;
	return 0;
}
