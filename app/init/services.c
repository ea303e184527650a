#include "services.h"

#include <string.h>

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= SERVICE_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

static const struct {
	const char *word;
	enum service_policy policy;
} policies[] = {
	{ "respawn", SERVICE_RESPAWN },
	{ "once", SERVICE_ONCE },
};

static enum service_kind fail(const char **err, const char *why)
{
	*err = why;
	return SERVICE_ERROR;
}

enum service_kind service_parse_line(const char *line, struct service_spec *out,
				     const char **err)
{
	static const char blanks[] = " \t\r";
	char *words[SERVICE_ARGS_MAX + 3];
	int n = 0;

	memset(out, 0, sizeof *out);
	*err = NULL;
	if (strlen(line) >= sizeof out->buf)
		return fail(err, "line too long");
	strcpy(out->buf, line);
	for (char *save, *w = strtok_r(out->buf, blanks, &save); w;
	     w = strtok_r(NULL, blanks, &save)) {
		if (n == 0 && w[0] == '#')
			return SERVICE_NONE;
		if (n == SERVICE_ARGS_MAX + 2)
			return fail(err, "too many arguments");
		words[n++] = w;
	}
	if (n == 0)
		return SERVICE_NONE;
	if (!name_ok(words[0]))
		return fail(err, "bad service name (1-31 of A-Z a-z 0-9 _ . -)");
	strcpy(out->name, words[0]);
	if (n < 2)
		return fail(err, "missing policy (respawn or once)");
	size_t i;
	for (i = 0; i < sizeof policies / sizeof *policies; i++)
		if (!strcmp(words[1], policies[i].word))
			break;
	if (i == sizeof policies / sizeof *policies)
		return fail(err, "unknown policy (respawn or once)");
	out->policy = policies[i].policy;
	if (n < 3)
		return fail(err, "missing command");
	if (words[2][0] != '/')
		return fail(err, "command must be an absolute path");
	out->argc = n - 2;
	for (int a = 0; a < out->argc; a++)
		out->argv[a] = words[a + 2];
	out->argv[out->argc] = NULL;
	return SERVICE_LINE;
}

unsigned backoff_next(unsigned prev_ms, long ran_ms)
{
	if (prev_ms == 0 || ran_ms >= BACKOFF_RESET_MS)
		return BACKOFF_MIN_MS;
	return prev_ms >= BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS : prev_ms * 2;
}
