/* SPDX-License-Identifier: MIT */
/* backoff.h -- how long init waits before restarting a respawn service. */
#ifndef TERN_INIT_BACKOFF_H
#define TERN_INIT_BACKOFF_H

#include <stdint.h>

#define BACKOFF_MIN_S 1    /* after the first exit */
#define BACKOFF_MAX_S 60   /* the doubling stops here */
#define BACKOFF_RESET_S 30 /* a run this long starts again from BACKOFF_MIN_S */

/* The delay in seconds before restarting a service whose run lasted ran_ms,
 * given the delay before its previous restart (0: none yet).  Pure. */
unsigned backoff_next(unsigned prev_s, int64_t ran_ms);

#endif
