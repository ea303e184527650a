#include "sysctl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Length of s without trailing blanks (and a stray \r). */
static size_t trimmed_len(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

static int key_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == '/' || c == '+' || c == ':' || c == '@';
}

static enum sysctl_kind fail(struct sysctl_setting *out, const char *why)
{
	out->error = why;
	return SYSCTL_ERROR;
}

enum sysctl_kind sysctl_parse_line(const char *line, struct sysctl_setting *out)
{
	static const char prefix[] = "/proc/sys/";
	memset(out, 0, sizeof *out);

	const char *s = skip_blanks(line);
	if (!*s || *s == '#' || *s == ';' || trimmed_len(s, strlen(s)) == 0)
		return SYSCTL_NONE;
	if (*s == '-') {
		out->ignore_missing = 1;
		s = skip_blanks(s + 1);
	}
	const char *eq = strchr(s, '=');
	if (!eq)
		return fail(out, "expected 'key = value'");
	size_t klen = trimmed_len(s, (size_t)(eq - s));
	if (klen == 0)
		return fail(out, "empty key");
	if (klen + sizeof prefix > sizeof out->path)
		return fail(out, "key too long");
	const char *v = skip_blanks(eq + 1);
	size_t vlen = trimmed_len(v, strlen(v));
	if (vlen == 0)
		return fail(out, "empty value");
	if (vlen >= sizeof out->value)
		return fail(out, "value too long");

	/* Dots are separators unless the first separator is a slash. */
	size_t first = strcspn(s, "./");
	int dots = first < klen && s[first] == '.';
	char *p = out->path + sizeof prefix - 1;
	memcpy(out->path, prefix, sizeof prefix - 1);
	for (size_t i = 0; i < klen; i++) {
		char c = s[i];
		if (!key_char_ok(c))
			return fail(out, "bad character in key");
		*p++ = dots && c == '.' ? '/' : c;
	}
	*p = '\0';
	if (strstr(out->path, "/../") || strstr(out->path, "//") || p[-1] == '/' ||
	    (p - out->path >= 3 && !strcmp(p - 3, "/..")))
		return fail(out, "bad key path");
	memcpy(out->value, v, vlen);
	out->value[vlen] = '\0';
	return SYSCTL_SET;
}

static int write_setting(const struct sysctl_setting *set, const char *root,
			 const char *file, int lineno)
{
	char path[4096];
	int n = snprintf(path, sizeof path, "%s%s", root, set->path);
	if (n < 0 || (size_t)n >= sizeof path) {
		log_warn("%s:%d: %s: path too long", file, lineno, set->path);
		return 1;
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && set->ignore_missing)
			return 0;
		if (errno == ENOENT) {
			log_warn("%s:%d: unknown key %s", file, lineno, set->path + 10);
			return 1;
		}
		log_errno("%s:%d: unable to open %s", file, lineno, path);
		return 1;
	}
	size_t len = strlen(set->value);
	ssize_t w = write(fd, set->value, len);
	int bad = w != (ssize_t)len;
	if (bad)
		log_errno("%s:%d: unable to set %s to '%s'", file, lineno,
			  set->path + 10, set->value);
	close(fd);
	return bad;
}

static int apply_file(const char *path, const char *root)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		log_errno("unable to read %s", path);
		return 1;
	}
	char line[SYSCTL_LINE_MAX + 2];
	int lineno = 0, problems = 0;
	struct sysctl_setting set;

	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n') {
			line[--n] = '\0';
		} else if (!feof(f)) {
			log_warn("%s:%d: line longer than %d bytes", path, lineno, SYSCTL_LINE_MAX);
			problems++;
			int c;
			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		switch (sysctl_parse_line(line, &set)) {
		case SYSCTL_NONE:
			break;
		case SYSCTL_ERROR:
			log_warn("%s:%d: %s", path, lineno, set.error);
			problems++;
			break;
		case SYSCTL_SET:
			problems += write_setting(&set, root, path, lineno);
			break;
		}
	}
	fclose(f);
	return problems;
}

static int is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".conf");
}

int sysctl_apply_dir(const char *dir, const char *root)
{
	struct dirent **names;
	int n = scandir(dir, &names, is_conf, alphasort);
	int problems = 0;

	if (n < 0) {
		if (errno != ENOENT)
			log_errno("unable to list %s", dir);
		return errno == ENOENT ? 0 : 1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		problems += apply_file(path, root);
		free(names[i]);
	}
	free(names);
	return problems;
}
