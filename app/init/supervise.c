/* supervise.c -- see supervise.h. */
#include "supervise.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "backoff.h"
#include "log.h"

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct service *find_name(struct supervisor *sv, const char *name)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->svc[i].spec.name, name))
			return &sv->svc[i];
	return NULL;
}

static struct service *find_pid(struct supervisor *sv, pid_t pid)
{
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svc[i].pid == pid)
			return &sv->svc[i];
	return NULL;
}

static void load_line(void *ctx, const char *file, unsigned lineno,
		      const char *line, size_t len)
{
	struct supervisor *sv = ctx;
	struct service_spec spec;
	const char *err;

	switch (service_parse_line(line, len, &spec, &err)) {
	case CONF_SKIP:
		return;
	case CONF_BAD:
		log_warn("%s:%u: %s", file, lineno, err);
		return;
	case CONF_OK:
		break;
	}
	if (find_name(sv, spec.name))
		log_warn("%s:%u: service %s is already defined; ignoring this line",
			 file, lineno, spec.name);
	else if (sv->n == SERVICES_MAX)
		log_warn("%s:%u: more than %d services; ignoring %s",
			 file, lineno, SERVICES_MAX, spec.name);
	else
		sv->svc[sv->n++] = (struct service){ .spec = spec };
}

void supervisor_load(struct supervisor *sv)
{
	if (conf_read(SERVICES_FILE, load_line, sv) < 0)
		log_errno("unable to read %s", SERVICES_FILE);
}

static void start(struct service *s)
{
	pid_t pid = spawn(s);

	s->restart_ms = 0;
	if (pid < 0) {
		/* Try again later, as if it had exited at once. */
		log_errno("unable to start %s: fork", s->spec.name);
		s->delay_s = backoff_next(s->delay_s, 0);
		s->restart_ms = now_ms() + s->delay_s * 1000LL;
		return;
	}
	s->pid = pid;
	s->started_ms = now_ms();
	log_info("started %s (pid %d)", s->spec.name, (int)pid);
}

void supervisor_start_all(struct supervisor *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		start(&sv->svc[i]);
}

void supervisor_start_shell(struct supervisor *sv)
{
	struct service *s = &sv->svc[sv->n++];
	static const char line[] = "shell respawn /bin/sh";
	const char *err;

	*s = (struct service){ .console = true };
	service_parse_line(line, sizeof line - 1, &s->spec, &err);
	start(s);
}

/* "exited with status 1", "killed by signal 9 (Killed)". */
static void describe(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "ended with wait status %#x", (unsigned)status);
}

static void exited(struct supervisor *sv, struct service *s, int status)
{
	int64_t now = now_ms(), ran = now - s->started_ms;
	pid_t pid = s->pid;
	char how[96];

	s->pid = 0;
	describe(status, how, sizeof how);
	if (sv->stopping || s->spec.policy == SERVICE_ONCE) {
		log_info("%s (pid %d) %s", s->spec.name, (int)pid, how);
		return;
	}
	s->delay_s = backoff_next(s->delay_s, ran);
	s->restart_ms = now + s->delay_s * 1000LL;
	log_info("%s (pid %d) %s after %lld.%03lld s; restarting in %u s",
		 s->spec.name, (int)pid, how, (long long)(ran / 1000),
		 (long long)(ran % 1000), s->delay_s);
}

bool supervisor_reap(struct supervisor *sv)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		struct service *s;

		if (pid > 0) {
			if ((s = find_pid(sv, pid)))
				exited(sv, s, status);
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		return pid == 0;
	}
}

int supervisor_tick(struct supervisor *sv)
{
	int64_t now = now_ms(), next = -1;

	if (sv->stopping)
		return -1;
	for (size_t i = 0; i < sv->n; i++) {
		struct service *s = &sv->svc[i];

		if (s->restart_ms && s->restart_ms <= now)
			start(s);
		if (s->restart_ms && (next < 0 || s->restart_ms - now < next))
			next = s->restart_ms - now;
	}
	return next > INT_MAX ? INT_MAX : (int)next;
}

static void signal_all(struct supervisor *sv, int sig)
{
	for (size_t i = sv->n; i-- > 0;) {
		struct service *s = &sv->svc[i];

		s->restart_ms = 0;
		if (s->pid <= 0)
			continue;
		if (kill(s->pid, sig) < 0)
			log_errno("unable to send signal %d to %s (pid %d)", sig,
				  s->spec.name, (int)s->pid);
		if (sig != SIGTERM)
			continue;
		/* An interactive shell ignores SIGTERM; a hangup ends it. */
		if (s->console)
			kill(s->pid, SIGHUP);
		kill(s->pid, SIGCONT); /* a stopped process must run to exit */
	}
}

void supervisor_stop(struct supervisor *sv)
{
	sv->stopping = true;
	signal_all(sv, SIGTERM);
}

void supervisor_kill(struct supervisor *sv)
{
	sv->stopping = true;
	signal_all(sv, SIGKILL);
}

size_t supervisor_running(const struct supervisor *sv)
{
	size_t n = 0;

	for (size_t i = 0; i < sv->n; i++)
		n += sv->svc[i].pid > 0;
	return n;
}
