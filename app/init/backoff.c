/* SPDX-License-Identifier: MIT */
/* backoff.c -- see backoff.h. */
#include "backoff.h"

unsigned backoff_next(unsigned prev_s, int64_t ran_ms)
{
	if (prev_s == 0 || ran_ms >= BACKOFF_RESET_S * 1000LL)
		return BACKOFF_MIN_S;
	return prev_s >= BACKOFF_MAX_S / 2 ? BACKOFF_MAX_S : prev_s * 2;
}
