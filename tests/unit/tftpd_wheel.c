/* SPDX-License-Identifier: MIT */
/* tftpd_wheel -- the timing wheel of tftpd's timeouts
 * (app/tftpd/wheel.c): timers fire once, in time, never early; moving and
 * cancelling; delays longer than the wheel's span; the next wake-up (never
 * early, at most a tick late), also against the plain minimum over
 * thousands of random sets, moves, cancels and expiries (the bitmap of
 * busy slots must never hide a timer). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "wheel.h"

static struct wheel w;
static int fired[8];
static struct timer tm[8];

static void fire(struct timer *t, void *ctx)
{
	(void)ctx;
	fired[t - tm]++;
}

static void fire_many(struct timer *t, void *ctx)
{
	(void)t;
	(void)ctx;
}

static void reset(int64_t now)
{
	wheel_init(&w, now);
	for (int i = 0; i < 8; i++) {
		fired[i] = 0;
		tm[i] = (struct timer){ 0 };
	}
}

static void fires_once_at_its_time_not_before(void **state)
{
	(void)state;
	reset(1000);
	wheel_set(&w, &tm[0], 2000);
	wheel_expire(&w, 1999, fire, NULL);
	assert_int_equal(fired[0], 0);
	wheel_expire(&w, 2000, fire, NULL);
	assert_int_equal(fired[0], 1);
	wheel_expire(&w, 9000, fire, NULL);
	assert_int_equal(fired[0], 1);
	assert_false(timer_pending(&tm[0]));
	assert_int_equal(wheel_next(&w, 9000), -1);
}

static void moved_and_cancelled_timers(void **state)
{
	(void)state;
	reset(0);
	wheel_set(&w, &tm[0], 100);
	wheel_set(&w, &tm[1], 100);
	wheel_set(&w, &tm[0], 500); /* moved */
	wheel_cancel(&w, &tm[1]);
	wheel_expire(&w, 200, fire, NULL);
	assert_int_equal(fired[0], 0);
	assert_int_equal(fired[1], 0);
	wheel_expire(&w, 500, fire, NULL);
	assert_int_equal(fired[0], 1);
	assert_int_equal(w.count, 0);
}

static void longer_than_the_span(void **state)
{
	const int64_t span = (int64_t)WHEEL_SLOTS * WHEEL_TICK_MS;

	(void)state;
	reset(0);
	wheel_set(&w, &tm[0], span * 3 + 7);
	for (int64_t now = 0; now < span * 3 + 7; now += 1000)
		wheel_expire(&w, now, fire, NULL);
	assert_int_equal(fired[0], 0);
	wheel_expire(&w, span * 3 + 7, fire, NULL);
	assert_int_equal(fired[0], 1);
}

static void a_long_sleep_fires_everything_due(void **state)
{
	(void)state;
	reset(0);
	for (int i = 0; i < 8; i++)
		wheel_set(&w, &tm[i], 10 + i * 3000);
	wheel_expire(&w, 1000000, fire, NULL);
	for (int i = 0; i < 8; i++)
		assert_int_equal(fired[i], 1);
}

static void next_wakeup(void **state)
{
	(void)state;
	reset(0);
	wheel_set(&w, &tm[0], 1000);
	wheel_set(&w, &tm[1], 250);
	/* the end of 250's slot: never early, at most a tick late */
	assert_int_equal(wheel_next(&w, 0), 252);
	assert_int_equal(wheel_next(&w, 251), 1);
	assert_int_equal(wheel_next(&w, 300), 0); /* overdue: at once */
}

/* A small deterministic generator (no libc rand: same sequence everywhere). */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned next_rand(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

#define MANY 300

static void next_wakeup_matches_the_minimum(void **state)
{
	static struct timer many[MANY];
	int64_t now = 123456;
	unsigned hits = 0, spans = 0;

	(void)state;
	memset(many, 0, sizeof many);
	wheel_init(&w, now);
	for (int round = 0; round < 20000; round++) {
		struct timer *t = &many[next_rand(MANY)];
		/* Phases of filling and draining, so that sometimes only timers
		 * past the span are left. */
		unsigned op = next_rand(10), sets = (round / 1000) % 2 ? 6 : 2;

		if (op < sets) /* set or move: within the span, now and then up to twice it */
			wheel_set(&w, t, now + next_rand((next_rand(50) ? 1 : 2) * WHEEL_SLOTS *
							 WHEEL_TICK_MS));
		else if (op < 8)
			wheel_cancel(&w, t);
		else { /* time goes on; whatever is due fires */
			now += next_rand(3000);
			wheel_expire(&w, now, fire_many, NULL);
		}

		int64_t min = INT64_MAX, max = INT64_MIN, span_end = (now / WHEEL_TICK_MS + WHEEL_SLOTS) * WHEEL_TICK_MS;
		unsigned set = 0;

		for (int i = 0; i < MANY; i++)
			if (timer_pending(&many[i])) {
				set++;
				if (many[i].at < min)
					min = many[i].at;
				if (many[i].at > max)
					max = many[i].at;
			}
		assert_int_equal(w.count, set);
		wheel_expire(&w, now, fire_many, NULL); /* w.now = now, as the loop has it */
		if (!set) {
			assert_int_equal(wheel_next(&w, now), -1);
			continue;
		}
		int next = wheel_next(&w, now), due = min <= now ? 0 : (int)(min - now);

		/* Never late by more than a tick, never past the span. */
		assert_in_range(next, 0, WHEEL_SLOTS * WHEEL_TICK_MS);
		if (min < span_end)
			assert_true(next <= due + WHEEL_TICK_MS);
		if (max < span_end) { /* every timer in this turn: never early either */
			hits++;
			assert_true(next >= due);
		} else {
			spans++; /* a slot may hold only a later turn's timers: early is fine */
		}
	}
	assert_true(hits > 1000 && spans > 100); /* both cases were seen */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fires_once_at_its_time_not_before),
		cmocka_unit_test(moved_and_cancelled_timers),
		cmocka_unit_test(longer_than_the_span),
		cmocka_unit_test(a_long_sleep_fires_everything_due),
		cmocka_unit_test(next_wakeup),
		cmocka_unit_test(next_wakeup_matches_the_minimum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
