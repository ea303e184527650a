/* SPDX-License-Identifier: MIT */
/* wrq.c -- write transfers: DATA in, written as it comes (upload.h), an
 * ACK a window. */
#include "xfer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "block.h"
#include "log.h"

void wrq_start(struct xfer *x)
{
	window_start(&x->w, 0, 1, x->t.rollover); /* retries only */
	if (x->t.oack.mask) {
		x->clen = tftp_build_oack(x->cnext, sizeof x->cnext, &x->t.oack);
		send_ctl(x);
	} else {
		send_ack(x, 0);
	}
}

void send_ack(struct xfer *x, uint64_t i)
{
	x->clen = tftp_build_ack(x->cnext, sizeof x->cnext, tftp_block_number(i, x->t.rollover));
	send_ctl(x);
}

void wrq_data(struct xfer *x, uint16_t n, const uint8_t *data, size_t len)
{
	uint64_t i = tftp_block_index(n, x->received + 1, x->t.rollover);
	const uint64_t cap = x->srv->cfg->lim.max_upload;
	const uint8_t *bytes = data;
	size_t blen = len;

	if (x->dallying) { /* our last ACK was lost: say it again */
		if (i == UINT64_MAX || (uint16_t)n == tftp_block_number(x->received, x->t.rollover))
			send_ack(x, x->received);
		return;
	}
	if (len > x->t.blksize) {
		xfer_fail(x, TFTP_EBADOP, "DATA longer than the negotiated blksize", true);
		return;
	}
	if (i != x->received + 1) {
		/* A duplicate (our ACK was lost: the client went back) or a gap
		 * (a block was lost): either way the client must hear where we
		 * are.  RFC 7440 section 4. */
		bool gap = i != UINT64_MAX && i - (x->received + 1) < x->t.windowsize;

		if (gap || (uint16_t)n == tftp_block_number(x->received, x->t.rollover))
			send_ack(x, x->received);
		return;
	}
	if (x->mode == TFTP_NETASCII) {
		blen = netascii_decode(&x->dec, data, len, x->wbuf);
		bytes = x->wbuf;
	}
	if (cap && x->bytes + blen > cap) {
		xfer_fail(x, TFTP_ENOSPACE, "upload larger than the server allows", true);
		return;
	}
	if (upload_write(&x->up, bytes, blen, x->bytes) < 0) {
		int err = errno;
		char why[96];

		snprintf(why, sizeof why, "unable to write the file: %s", strerror(err));
		xfer_fail(x, err == ENOSPC || err == EDQUOT ? TFTP_ENOSPACE : TFTP_EUNDEF, why, true);
		return;
	}
	x->bytes += blen;
	x->received = i;
	x->srv->st->bytes_received += len;
	x->w.retries = 0;
	arm_timer(x);
	if (len < x->t.blksize) { /* the last block */
		if (x->mode == TFTP_NETASCII) {
			size_t tail = netascii_decode_end(&x->dec, x->wbuf);

			if (tail && upload_write(&x->up, x->wbuf, tail, x->bytes) == 0)
				x->bytes += tail;
		}
		if (upload_commit(&x->up, x->srv->cfg->overwrite) < 0) {
			char why[96];

			snprintf(why, sizeof why, "unable to put the file in place: %s",
				 strerror(errno));
			xfer_fail(x, errno == EEXIST ? TFTP_EEXISTS : TFTP_EUNDEF, why, true);
			return;
		}
		send_ack(x, i);
		x->srv->st->completed++;
		xfer_log_end(x, true, NULL);
		x->dallying = true; /* until a timeout passes without a resend */
		return;
	}
	if (i % x->t.windowsize == 0)
		send_ack(x, i);
}
