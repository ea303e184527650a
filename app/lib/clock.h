/* clock.h -- the one monotonic clock of every daemon (CLOCK_MONOTONIC),
 * in the unit each caller needs, and the pause a busy-wait spins with.
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

/* Whole milliseconds, truncated: "now" for deadlines. */
static inline int64_t clock_ms(void)
{
	return clock_ns() / 1000000;
}

/* A deadline d ms from now that clock_ms() reaches no sooner than d ms
 * of real time have passed. */
static inline int64_t clock_ms_after(int64_t d)
{
	return (clock_ns() + 999999) / 1000000 + d;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

#endif
