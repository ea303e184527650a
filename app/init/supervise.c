/* SPDX-License-Identifier: MIT */
/* supervise.c -- see supervise.h. */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backoff.h"
#include "clock.h"
#include "log.h"
#include "root.h"
#include "settings.h"

/* A table entry that is due now: restart_ms 0 means "not due". */
static int64_t due_now(void)
{
	int64_t now = clock_ms();

	return now > 0 ? now : 1;
}

static struct service fresh(const struct service_spec *spec)
{
	return (struct service){ .spec = *spec, .log_rd = -1, .log_wr = -1 };
}

/* The entry named name that is not being retired, or NULL. */
static struct service *find_name(struct service *svc, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!svc[i].retiring && !strcmp(svc[i].spec.name, name))
			return &svc[i];
	return NULL;
}

static struct service *find_pid(struct supervisor *sv, pid_t pid)
{
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svc[i].pid == pid)
			return &sv->svc[i];
	return NULL;
}

static size_t args_len(const struct service_spec *s)
{
	size_t len = 0;

	for (size_t i = 0; i < s->argc; i++)
		len += strlen(s->args + len) + 1;
	return len;
}

/* Same name, policy, role and command line: a reload leaves it running. */
static bool spec_equal(const struct service_spec *a, const struct service_spec *b)
{
	size_t len = args_len(a);

	return !strcmp(a->name, b->name) && a->policy == b->policy && !strcmp(a->role, b->role) &&
	       a->argc == b->argc && len == args_len(b) && !memcmp(a->args, b->args, len);
}

/* The services of one reading of SERVICES_FILE. */
struct file_specs {
	const char *role; /* the box's: services of other roles are left out */
	size_t n;
	unsigned bad; /* lines reported */
	struct service_spec spec[SERVICES_MAX];
};

static void read_line(void *ctx, const char *file, unsigned lineno,
		      const char *line, size_t len)
{
	struct file_specs *f = ctx;
	struct service_spec spec;
	const char *err;

	switch (service_parse_line(line, len, &spec, &err)) {
	case CONF_SKIP:
		return;
	case CONF_BAD:
		log_warn("%s:%u: %s", file, lineno, err);
		f->bad++;
		return;
	case CONF_OK:
		break;
	}
	if (spec.role[0] && strcmp(spec.role, f->role)) {
		log_info("%s:%u: not starting %s: it is for role %s, this box is %s",
			 file, lineno, spec.name, spec.role, f->role);
		return;
	}
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->spec[i].name, spec.name)) {
			log_warn("%s:%u: service %s is already defined; ignoring this line",
				 file, lineno, spec.name);
			f->bad++;
			return;
		}
	if (f->n == SERVICES_MAX) {
		log_warn("%s:%u: more than %d services; ignoring %s",
			 file, lineno, SERVICES_MAX, spec.name);
		f->bad++;
		return;
	}
	f->spec[f->n++] = spec;
}

/* Big, and only needed while a file is read: not on init's stack. */
static struct file_specs file;

static int read_services(const struct supervisor *sv)
{
	file.role = sv->role ? sv->role : SERVICE_ROLE_DEFAULT;
	file.n = 0;
	file.bad = 0;
	return root_conf_read(SERVICES_FILE, read_line, &file);
}

void supervisor_load(struct supervisor *sv)
{
	if (read_services(sv) < 0) {
		log_errno("unable to read %s", SERVICES_FILE);
		return;
	}
	for (size_t i = 0; i < file.n; i++) {
		if (find_name(sv->svc, sv->n, file.spec[i].name)) {
			log_warn("%s: service %s is already defined by init itself; ignoring it",
				 SERVICES_FILE, file.spec[i].name);
			continue;
		}
		sv->svc[sv->n++] = fresh(&file.spec[i]);
	}
}

bool supervisor_add_line(struct supervisor *sv, const char *what, const char *line)
{
	struct service_spec spec;
	const char *err = NULL;
	size_t builtins = 0;

	for (size_t i = 0; i < sv->n; i++)
		builtins += sv->svc[i].builtin;
	if (service_parse_line(line, strlen(line), &spec, &err) != CONF_OK) {
		log_err("%s: bad service line \"%s\": %s", what, line, err ? err : "blank");
		return false;
	}
	if (find_name(sv->svc, sv->n, spec.name)) {
		log_err("%s: service %s is already defined", what, spec.name);
		return false;
	}
	if (builtins == BUILTINS_MAX - 1) { /* one kept for the debug shell */
		log_err("%s: more than %d services of init's own; not adding %s",
			what, BUILTINS_MAX - 1, spec.name);
		return false;
	}
	sv->svc[sv->n] = fresh(&spec);
	sv->svc[sv->n++].builtin = true;
	return true;
}

/* The pipe that carries the service's stdout and stderr to init (see
 * output.h).  It lives as long as the table entry, across restarts, so a
 * line is never lost between two runs.  Without one the service writes
 * to init's own stdout and stderr. */
static void open_log(struct service *s)
{
	int fds[2];

	if (s->console || s->log_rd >= 0)
		return;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		log_errno("%s: unable to create its output pipe; it writes to the console",
			  s->spec.name);
		return;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	s->log_rd = fds[0];
	s->log_wr = fds[1];
}

static void close_log(struct service *s)
{
	if (s->log_rd < 0)
		return;
	output_drain(s->log_rd, &s->out, s->spec.name);
	output_flush(&s->out, s->spec.name);
	close(s->log_rd);
	close(s->log_wr);
	s->log_rd = s->log_wr = -1;
}

static void start(struct service *s)
{
	pid_t pid;

	open_log(s);
	pid = spawn(s);
	s->restart_ms = 0;
	if (pid < 0) {
		/* Try again later, as if it had exited at once. */
		log_errno("unable to start %s: fork", s->spec.name);
		s->delay_s = backoff_next(s->delay_s, 0);
		s->restart_ms = clock_ms_after(s->delay_s * 1000LL);
		return;
	}
	s->pid = pid;
	s->started_ms = clock_ms();
	log_info("started %s (pid %d)", s->spec.name, (int)pid);
}

bool supervisor_run_line(struct supervisor *sv, const char *what, const char *line)
{
	if (!supervisor_add_line(sv, what, line))
		return false;
	start(&sv->svc[sv->n - 1]);
	return true;
}

const struct service *supervisor_find(const struct supervisor *sv, const char *name)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!sv->svc[i].retiring && !strcmp(sv->svc[i].spec.name, name))
			return &sv->svc[i];
	return NULL;
}

void supervisor_start_all(struct supervisor *sv)
{
	record_services(sv);
	for (size_t i = 0; i < sv->n; i++)
		start(&sv->svc[i]);
}

void supervisor_start_shell(struct supervisor *sv)
{
	struct service *s = &sv->svc[sv->n++];
	static const char line[] = "shell respawn /bin/sh";
	const char *err;

	*s = (struct service){ .console = true, .builtin = true, .log_rd = -1, .log_wr = -1 };
	service_parse_line(line, sizeof line - 1, &s->spec, &err);
	record_services(sv);
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
	int64_t now = clock_ms(), ran = now - s->started_ms;
	unsigned prev = s->delay_s;
	pid_t pid = s->pid;
	char how[96];

	s->pid = 0;
	s->status = status;
	if (s->log_rd >= 0) /* its last words before the news of its end */
		output_drain(s->log_rd, &s->out, s->spec.name);
	output_flush(&s->out, s->spec.name);
	describe(status, how, sizeof how);
	if (sv->stopping || s->retiring || s->spec.policy == SERVICE_ONCE) {
		log_info("%s (pid %d) %s", s->spec.name, (int)pid, how);
		return;
	}
	s->fails = ran < BACKOFF_RESET_S * 1000LL ? s->fails + 1 : 0;
	if (s->restarts)
		++*s->restarts;
	s->delay_s = backoff_next(s->delay_s, ran);
	s->restart_ms = clock_ms_after(s->delay_s * 1000LL);
	if (s->delay_s == BACKOFF_MAX_S && prev < BACKOFF_MAX_S)
		log_warn("%s (pid %d) %s after %lld.%03lld s; it is crash-looping "
			 "(%u exits in a row, each within %d s of its start); "
			 "retrying every %d s", s->spec.name, (int)pid, how,
			 (long long)(ran / 1000), (long long)(ran % 1000), s->fails,
			 BACKOFF_RESET_S, BACKOFF_MAX_S);
	else if (s->delay_s == BACKOFF_MAX_S)
		log_warn("%s (pid %d) %s after %lld.%03lld s; still crash-looping "
			 "(%u exits in a row); restarting in %u s", s->spec.name,
			 (int)pid, how, (long long)(ran / 1000),
			 (long long)(ran % 1000), s->fails, s->delay_s);
	else
		log_info("%s (pid %d) %s after %lld.%03lld s; restarting in %u s",
			 s->spec.name, (int)pid, how, (long long)(ran / 1000),
			 (long long)(ran % 1000), s->delay_s);
}

/* Drop the retired services that have stopped. */
static void sweep(struct supervisor *sv)
{
	size_t kept = 0;

	for (size_t i = 0; i < sv->n; i++) {
		struct service *s = &sv->svc[i];

		if (s->retiring && s->pid <= 0) {
			close_log(s);
			continue;
		}
		if (kept != i)
			sv->svc[kept] = *s;
		kept++;
	}
	sv->n = kept;
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
		sweep(sv);
		return pid == 0;
	}
}

/* A retiring service of that name still runs: its replacement waits. */
static bool blocked(const struct supervisor *sv, const struct service *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svc[i].retiring && sv->svc[i].pid > 0 &&
		    !strcmp(sv->svc[i].spec.name, s->spec.name))
			return true;
	return false;
}

static void kill_late(struct service *s)
{
	log_warn("%s (pid %d) still running %d s after SIGTERM; sending SIGKILL",
		 s->spec.name, (int)s->pid, CONFIG_INIT_STOP_TIMEOUT);
	kill(s->pid, SIGKILL);
	s->kill_ms = 0;
}

int supervisor_tick(struct supervisor *sv)
{
	int64_t now = clock_ms(), next = -1;

	if (sv->stopping)
		return -1;
	for (size_t i = 0; i < sv->n; i++) {
		struct service *s = &sv->svc[i];

		if (s->kill_ms && s->pid > 0 && s->kill_ms <= now)
			kill_late(s);
		if (s->kill_ms && s->pid > 0 && (next < 0 || s->kill_ms - now < next))
			next = s->kill_ms - now;
		if (!s->restart_ms || blocked(sv, s))
			continue; /* a blocked one is started after a reap */
		if (s->restart_ms <= now)
			start(s);
		if (s->restart_ms && (next < 0 || s->restart_ms - now < next))
			next = s->restart_ms - now;
	}
	return next > INT_MAX ? INT_MAX : (int)next;
}

static void stop_one(struct service *s, int sig)
{
	s->restart_ms = 0;
	if (s->pid <= 0)
		return;
	if (kill(s->pid, sig) < 0)
		log_errno("unable to send signal %d to %s (pid %d)", sig,
			  s->spec.name, (int)s->pid);
	if (sig != SIGTERM)
		return;
	/* An interactive shell ignores SIGTERM; a hangup ends it. */
	if (s->console)
		kill(s->pid, SIGHUP);
	kill(s->pid, SIGCONT); /* a stopped process must run to exit */
}

/* Retire old (removed or changed by a reload, why says which): SIGTERM
 * now, SIGKILL later, dropped from the table once reaped. */
static void retire(struct service *s, const char *why)
{
	s->retiring = true;
	if (s->pid <= 0) {
		log_info("reload: %s %s (not running)", why, s->spec.name);
		s->restart_ms = 0;
		return;
	}
	log_info("reload: %s %s: stopping pid %d", why, s->spec.name, (int)s->pid);
	stop_one(s, SIGTERM);
	s->kill_ms = clock_ms_after(CONFIG_INIT_STOP_TIMEOUT * 1000LL);
}

/* The table a reload makes, built beside the running one. */
static struct service next[SUPERVISOR_MAX];

void supervisor_reload(struct supervisor *sv)
{
	bool kept[SUPERVISOR_MAX] = { false };
	unsigned added = 0, changed = 0, removed = 0, same = 0;
	size_t n = 0, need = 0;

	if (read_services(sv) < 0) {
		log_errno("reload: unable to read %s; running services unchanged", SERVICES_FILE);
		return;
	}
	if (file.bad) {
		log_err("reload: %s has %u bad line(s); running services unchanged",
			SERVICES_FILE, file.bad);
		return;
	}
	for (size_t i = 0; i < sv->n; i++) /* everything old stays a while */
		need += sv->svc[i].builtin || sv->svc[i].retiring || sv->svc[i].pid > 0;
	if (need + file.n > SUPERVISOR_MAX) {
		log_err("reload: too many services still stopping; running services "
			"unchanged (send SIGHUP again in a few seconds)");
		return;
	}

	/* Builtins first, then the file in its order, ... */
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svc[i].builtin && !sv->svc[i].console)
			next[n++] = sv->svc[i];
	for (size_t f = 0; f < file.n; f++) {
		struct service *old = find_name(sv->svc, sv->n, file.spec[f].name);

		if (old && old->builtin) {
			log_warn("%s: service %s is already defined by init itself; ignoring it",
				 SERVICES_FILE, file.spec[f].name);
			continue;
		}
		if (old && spec_equal(&old->spec, &file.spec[f])) {
			kept[old - sv->svc] = true;
			next[n++] = *old;
			same++;
			continue;
		}
		next[n] = fresh(&file.spec[f]);
		next[n++].restart_ms = due_now();
		if (old) {
			changed++;
		} else {
			added++;
			log_info("reload: adding %s", file.spec[f].name);
		}
	}
	/* ... then what is going away, then the debug shell. */
	for (size_t i = 0; i < sv->n; i++) {
		struct service *s = &sv->svc[i];
		bool gone = !s->builtin && !s->retiring && !kept[i];

		if (gone) {
			bool replaced = find_name(next, n, s->spec.name) != NULL;

			removed += !replaced;
			retire(s, replaced ? "changed" : "removed");
		}
		if (s->retiring && s->pid > 0)
			next[n++] = *s;
		else if (s->retiring)
			close_log(s);
	}
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svc[i].console)
			next[n++] = sv->svc[i];
	memcpy(sv->svc, next, n * sizeof *next);
	sv->n = n;
	record_services(sv);
	output_reopen();
	log_info("reload: %s: %u added, %u changed, %u removed, %u unchanged",
		 SERVICES_FILE, added, changed, removed, same);
}

static void signal_all(struct supervisor *sv, int sig)
{
	for (size_t i = sv->n; i-- > 0;)
		stop_one(&sv->svc[i], sig);
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
