/* SPDX-License-Identifier: MIT */
/* clock.h -- the one monotonic clock of every daemon (CLOCK_MONOTONIC),
 * in the unit each caller needs (and the other clocks read the same way),
 * and the pause a busy-wait spins with.
 * Header-only (static inline).
 *
 * Deadlines are never early: clock_ms() truncates, so a deadline made as
 * clock_ms() + d could pass up to 1 ms before d has.  clock_ms_after(d)
 * rounds the start up instead, and "due" is clock_ms() >= deadline: by
 * then at least d ms have passed. */
#ifndef TERN_CLOCK_H
#define TERN_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int64_t clock_us(void)
{
	return clock_ns() / 1000;
}

/* ts in whole milliseconds, rounded down.  Pure. */
static inline int64_t clock_ms_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

/* The clock_ms() reading by which after_ms have surely passed since ts:
 * from the next whole millisecond, due no earlier, at most 1 ms late.
 * Pure. */
static inline int64_t clock_deadline_of(const struct timespec *ts, int64_t after_ms)
{
	return clock_ms_of(ts) + (ts->tv_nsec % 1000000 != 0) + after_ms;
}

/* Whole milliseconds of clock id, rounded down: CLOCK_REALTIME for a
 * date, CLOCK_BOOTTIME for the uptime. */
static inline int64_t clock_ms_on(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return clock_ms_of(&ts);
}

/* Whole milliseconds, rounded down: "now" for deadlines. */
static inline int64_t clock_ms(void)
{
	return clock_ms_on(CLOCK_MONOTONIC);
}

/* A deadline d ms from now: clock_ms() reaches it no sooner than d ms of
 * real time have passed. */
static inline int64_t clock_ms_after(int64_t d)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return clock_deadline_of(&ts, d);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

#endif
