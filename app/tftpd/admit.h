/* SPDX-License-Identifier: MIT */
/* admit.h -- whether tftpd takes a request, and if not what it answers:
 * a pure function of the request and of what the server is doing, so
 * that every refusal is unit-tested (tests/unit/tftpd_admit.c).  In this
 * order: uploads off, too many transfers (or a request sent again: no
 * answer, ours is on its way), the remap rules, the path policy. */
#ifndef TERN_TFTPD_ADMIT_H
#define TERN_TFTPD_ADMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "packet.h"
#include "path.h"
#include "remap.h"

/* What the server is doing, as the request finds it. */
struct admit_state {
	bool uploads;              /* an upload directory is set */
	bool stopping;             /* SIGTERM came: no new transfer */
	bool resent;               /* a transfer with this client's address and port runs */
	unsigned from_host;        /* transfers running for this client's address */
	unsigned running;          /* transfers running in all */
	unsigned max_transfers, per_client;
	const struct remap_rules *remap; /* NULL: none */
	const struct path_policy *path;
};

enum admit_verdict {
	ADMIT_OK,       /* take it: rel is the file */
	ADMIT_RESENT,   /* the client's request again: no answer */
	ADMIT_BUSY,     /* too many transfers, or stopping */
	ADMIT_DENIED,   /* uploads off, or a remap rule denies it */
	ADMIT_BAD_PATH, /* the name (remapped) breaks the path policy: path says why */
};

struct admission {
	enum admit_verdict verdict;
	enum tftp_error code;  /* the ERROR to answer with, unless OK or RESENT */
	const char *message;
	enum path_cause path;  /* ADMIT_BAD_PATH: why */
	bool remapped;         /* ADMIT_BAD_PATH: the remap's result was too long */
};

/* Request r (an RRQ, or a WRQ if put) from host (its address as text, for
 * remap's \i): on ADMIT_OK, rel (size bytes) holds the relative path to
 * open. */
struct admission admit(const struct admit_state *st, const struct tftp_request *r, bool put,
		       const char *host, char *rel, size_t size);

#endif
