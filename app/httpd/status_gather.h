/* SPDX-License-Identifier: MIT */
/* status_gather.h -- a status snapshot taken now (status.h): the box, the
 * daemons' stats files, the journal's clients.  Only reads. */
#ifndef TERN_HTTPD_STATUS_GATHER_H
#define TERN_HTTPD_STATUS_GATHER_H

#include "status.h"

#define STATUS_RELEASE "/etc/tern/release" /* fwupdate's etc.sh writes it */
#define STATUS_SAMPLES 4096                 /* values a page shows at most */
#define STATUS_RINGS 16                     /* journal rings read at most */

/* What the status process opened at its start, as root, and reuses. */
struct status_sources {
	struct stats_reader *stats;     /* NULL: no <run>/stats */
	struct journal_reader *journal; /* NULL: no <run>/journal */
	char slot;                      /* the running slot, 0: not a disk board */
	char board[32], version[32];    /* STATUS_RELEASE's */
	struct status_sample *samples;  /* STATUS_SAMPLES */
	struct journal_event *events;   /* STATUS_RINGS * CONFIG_JOURNAL_EVENTS */
	struct journal_client *clients; /* CONFIG_JOURNAL_CLIENTS */
};

/* Open the directories, read the release file and the slot, allocate the
 * arrays.  What is missing is left out of the pages, and said there. */
void status_sources_open(struct status_sources *src);

/* The snapshot now; it points into src (valid until the next call). */
void status_gather(struct status_sources *src, struct status_snapshot *s);

#endif
