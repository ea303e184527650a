/* SPDX-License-Identifier: MIT */
/* admit.c -- see admit.h.  Pure. */
#include "admit.h"

#include <limits.h>
#include <string.h>

static struct admission refused(enum admit_verdict v, enum tftp_error code, const char *message)
{
	return (struct admission){ .verdict = v, .code = code, .message = message };
}

struct admission admit(const struct admit_state *st, const struct tftp_request *r, bool put,
		       const char *host, char *rel, size_t size)
{
	char mapped[PATH_MAX];
	const char *name = r->filename;
	enum path_cause pc;

	if (put && !st->uploads)
		return refused(ADMIT_DENIED, TFTP_EACCESS, "uploads are not allowed");
	if (st->resent)
		return refused(ADMIT_RESENT, TFTP_EUNDEF, NULL);
	if (st->from_host >= st->per_client || st->running >= st->max_transfers || st->stopping)
		return refused(ADMIT_BUSY, TFTP_EUNDEF, "server busy; try again later");
	if (st->remap) {
		switch (remap_apply(st->remap, put, name, host, mapped, sizeof mapped)) {
		case REMAP_OK:
			name = mapped;
			break;
		case REMAP_DENIED:
			return refused(ADMIT_DENIED, TFTP_EACCESS, "access denied");
		default: {
			struct admission a = refused(ADMIT_BAD_PATH, TFTP_EACCESS, "filename too long");

			a.path = PATH_TOO_LONG;
			a.remapped = true;
			return a;
		}
		}
	}
	pc = path_check(st->path, name, strlen(name), rel, size);
	if (pc != PATH_OK) {
		struct admission a = refused(ADMIT_BAD_PATH, TFTP_EACCESS, path_cause_message(pc));

		a.path = pc;
		return a;
	}
	return (struct admission){ .verdict = ADMIT_OK };
}
