/* SPDX-License-Identifier: MIT */
/* init_crashloop -- a respawn service that keeps failing, through init's
 * supervisor (app/init/supervise.c) on a clock the test moves: each run
 * a real /bin/false, each restart due exactly 1, 2, 4, 8, 16, 32 s after
 * its exit and not 1 ms sooner, the 7th exit in a row reported once as
 * crash-looping at the 60 s cap, the 8th as still crash-looping.
 *
 * CLOCK_MONOTONIC is this file's: its clock_gettime stands for libc's in
 * this program (init reads the clock only through app/lib/clock.h), so a
 * minute of back-off takes no time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "supervise.h"

static int64_t fake_ms = 1000000;

int clock_gettime(clockid_t id, struct timespec *ts)
{
	if (id != CLOCK_MONOTONIC)
		return (int)syscall(SYS_clock_gettime, id, ts);
	ts->tv_sec = fake_ms / 1000;
	ts->tv_nsec = fake_ms % 1000 * 1000000;
	return 0;
}

static struct supervisor sv; /* big: not on the stack */

/* Reap until the service's run has ended (a real process: 5 s at most). */
static void await_exit(struct service *s)
{
	for (int i = 0; i < 5000 && s->pid > 0; i++) {
		supervisor_reap(&sv);
		if (s->pid > 0)
			usleep(1000);
	}
	assert_int_equal(s->pid, 0);
}

/* What init logged (to stderr, here a file) since the last call. */
static char *logged(FILE *f)
{
	static char buf[65536];
	size_t n;

	fflush(stderr);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	return buf;
}

static void crash_loop_reported_at_the_cap(void **state)
{
	static const unsigned delays[] = { 1, 2, 4, 8, 16, 32 };
	char path[] = "/tmp/init_crashloop.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	FILE *log = fopen(path, "r");
	struct service *s;
	char want[256];

	(void)state;
	assert_true(fd >= 0 && saved >= 0 && log);
	unlink(path);
	dup2(fd, STDERR_FILENO);
	log_init("init");
	assert_true(supervisor_add_line(&sv, "test", "flappy respawn /bin/false"));
	s = &sv.svc[0];
	supervisor_start_all(&sv);
	for (size_t i = 0; i < sizeof delays / sizeof *delays; i++) {
		await_exit(s);
		snprintf(want, sizeof want, ") exited with status 1 after 0.000 s; restarting in "
			 "%u s\n", delays[i]);
		{
			char *text = logged(log);

			assert_non_null(strstr(text, "init: flappy (pid "));
			assert_non_null(strstr(text, want));
			assert_null(strstr(text, "crash-looping"));
		}
		fake_ms += delays[i] * 1000 - 1;
		supervisor_tick(&sv);
		assert_int_equal(s->pid, 0); /* 1 ms early: not yet */
		fake_ms += 1;
		supervisor_tick(&sv);
		assert_true(s->pid > 0);
	}
	await_exit(s);
	assert_non_null(strstr(logged(log), "; it is crash-looping (7 exits in a row, each within "
					    "30 s of its start); retrying every 60 s\n"));
	fake_ms += 60 * 1000;
	supervisor_tick(&sv);
	assert_true(s->pid > 0);
	await_exit(s);
	{
		char *text = logged(log);

		assert_non_null(strstr(text, "; still crash-looping (8 exits in a row); restarting "
					     "in 60 s\n"));
		assert_null(strstr(text, "it is crash-looping"));
	}
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	fclose(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crash_loop_reported_at_the_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
