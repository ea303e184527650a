/* SPDX-License-Identifier: MIT */
/* netascii.h -- RFC 1350's netascii mode: line ends as the Telnet NVT has
 * them (RFC 764): LF is sent as CR LF, and a CR alone as CR NUL.
 *
 * The encoder (RRQ) makes the bytes of one block at a time from the file's
 * bytes.  An expansion can be cut by a block's end (the CR ends block N,
 * its LF begins block N + 1), so the encoder's state at a block boundary is
 * the file offset reached plus the byte still owed: keep a copy of it for
 * each block in flight, and any block can be made again for a
 * retransmission.  The decoder (WRQ) undoes it: CR LF -> LF, CR NUL -> CR;
 * a CR before anything else is kept as it is, as is a bare LF.
 * Pure.
 */
#ifndef TERN_TFTPD_NETASCII_H
#define TERN_TFTPD_NETASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netascii_enc {
	uint64_t offset; /* file bytes consumed */
	int owed;        /* the second byte of a cut expansion, or -1 */
};

#define NETASCII_ENC_START { 0, -1 }

/* Fill out (size bytes, a block) from the file's bytes in[0..len), which
 * begin at e->offset: len >= size, or all that is left of the file.  Returns
 * the bytes written, size unless the file ended; advances *e. */
size_t netascii_encode(struct netascii_enc *e, const uint8_t *in, size_t len,
		       uint8_t *out, size_t size);

struct netascii_dec {
	bool cr; /* the last byte seen was a CR, not yet resolved */
};

/* Decode len bytes of netascii into out, which has room for len + 1;
 * returns the bytes written.  Blocks may cut CR LF anywhere. */
size_t netascii_decode(struct netascii_dec *d, const uint8_t *in, size_t len, uint8_t *out);

/* At the end of the transfer: a pending CR, written as it is (0 or 1 byte). */
size_t netascii_decode_end(struct netascii_dec *d, uint8_t *out);

#endif
