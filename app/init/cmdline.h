/* cmdline.h -- the tern.<key>=<value> words of the kernel command line. */
#ifndef TERN_INIT_CMDLINE_H
#define TERN_INIT_CMDLINE_H

#define CMDLINE_MAX 32       /* tern.* words kept */
#define CMDLINE_KEY_MAX 32   /* key bytes, with the NUL */
#define CMDLINE_VALUE_MAX 256

struct cmdline {
	int n;
	int bad; /* tern.* words dropped: key or value too long, too many */
	struct {
		char key[CMDLINE_KEY_MAX];
		char value[CMDLINE_VALUE_MAX];
	} kv[CMDLINE_MAX];
};

/* Parse a command line as the kernel splits it: words separated by
 * blanks, double quotes group blanks into a word and are removed.  Keeps
 * each tern.<key>=<value> (a bare tern.<key> means "1"); a later word for
 * the same key replaces the earlier one. */
void cmdline_parse(const char *text, struct cmdline *out);

/* The value for key (without "tern."), or NULL. */
const char *cmdline_get(const struct cmdline *cl, const char *key);

/* 1 if the value of key is 1, y, yes or on; 0 otherwise or unset. */
int cmdline_flag(const struct cmdline *cl, const char *key);

#endif
