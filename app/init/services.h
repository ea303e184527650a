/* services.h -- /etc/tern/services: what init starts and keeps running.
 *
 * One service a line, started in file order:
 *
 *     name  policy  /absolute/command [args...]
 *
 * name: 1-31 of [A-Za-z0-9_.-]; policy: "respawn" (restarted with back-off
 * when it exits) or "once"; the command is an absolute path, its arguments
 * split on blanks (no shell, no quoting).  '#' starts a comment line;
 * blank lines are ignored. */
#ifndef TERN_INIT_SERVICES_H
#define TERN_INIT_SERVICES_H

#include <sys/types.h>
#include <time.h>

#define SERVICE_LINE_MAX 1024
#define SERVICE_NAME_MAX 32 /* with the NUL */
#define SERVICE_ARGS_MAX 16
#define SERVICES_MAX 32

enum service_policy { SERVICE_RESPAWN, SERVICE_ONCE };

struct service_spec {
	char name[SERVICE_NAME_MAX];
	enum service_policy policy;
	int argc;
	char *argv[SERVICE_ARGS_MAX + 1]; /* point into buf: never copy a spec */
	char buf[SERVICE_LINE_MAX];
};

enum service_kind { SERVICE_NONE, SERVICE_LINE, SERVICE_ERROR };

/* Parse one line (without its newline) into out; on SERVICE_ERROR *err
 * says why. */
enum service_kind service_parse_line(const char *line, struct service_spec *out,
				     const char **err);

/* Restart back-off: 1 s after the first exit, doubling up to 60 s; a
 * service that ran for 30 s or more starts again from 1 s. */
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define BACKOFF_RESET_MS 30000
unsigned backoff_next(unsigned prev_ms, long ran_ms);

#endif
