/* SPDX-License-Identifier: MIT */
/* record.c -- init's counters shared with the status page (stats.h): the
 * restarts of each service, tern_init_service_restarts_total{service=}.
 * Services come and go with a reload, and a stats file's field table is
 * fixed, so each change of the table publishes a new file (same name,
 * renamed into place) with a field a service, each count carried over by
 * name; struct service points at its count in the mapping.  A retiring
 * service (a reload removed or changed it; it is stopping) is not
 * published: its replacement of the same name carries its count. */
#include "supervise.h"

#include <string.h>

#include "stats.h"

struct restarts {
	uint64_t n[SUPERVISOR_MAX];
};

static struct restarts *current;
static uint64_t retired; /* where a retiring service's restarts go */

/* The count so far of services named name (the running one, or the one it
 * replaces). */
static uint64_t count_of(const struct supervisor *sv, const char *name)
{
	uint64_t n = 0;

	for (size_t i = 0; i < sv->n; i++)
		if (sv->svc[i].restarts && sv->svc[i].restarts != &retired &&
		    !strcmp(sv->svc[i].spec.name, name) && *sv->svc[i].restarts > n)
			n = *sv->svc[i].restarts;
	return n;
}

void record_services(struct supervisor *sv)
{
	static char labels[SUPERVISOR_MAX][STATS_LABELS_MAX];
	struct stats_def defs[SUPERVISOR_MAX];
	struct restarts *next;
	unsigned n = 0, at[SUPERVISOR_MAX];

	for (size_t i = 0; i < sv->n; i++) {
		if (sv->svc[i].retiring)
			continue;
		labels[n][0] = 0;
		stats_label(labels[n], sizeof labels[n], "service", sv->svc[i].spec.name);
		defs[n] = STATS_FIXED("tern_init_service_restarts_total",
				      "Times a service was started again after it exited",
				      offsetof(struct restarts, n) + n * sizeof(uint64_t), labels[n]);
		at[i] = n++;
	}
	next = stats_open("init", -1, defs, n, sizeof *next);
	for (size_t i = 0; i < sv->n; i++)
		if (!sv->svc[i].retiring)
			next->n[at[i]] = count_of(sv, sv->svc[i].spec.name);
	for (size_t i = 0; i < sv->n; i++)
		sv->svc[i].restarts = sv->svc[i].retiring ? &retired : &next->n[at[i]];
	stats_close(current, false); /* the new file took its name */
	current = next;
}
