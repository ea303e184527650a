/* SPDX-License-Identifier: MIT */
/* block.h -- block numbers past 65535.
 *
 * A transfer counts its blocks by index: 0 is the request's answer (the
 * OACK acknowledged by ACK 0, or a WRQ's ACK 0), 1 the first DATA block.
 * On the wire the number is 16 bits.  After 65535 comes 0 (rollover 0, what
 * most clients expect and tftpd-hpa does by default) or 1 (rollover 1, for
 * clients that skip 0), so a file of any size transfers at any blksize.
 * Pure.
 */
#ifndef TERN_TFTPD_BLOCK_H
#define TERN_TFTPD_BLOCK_H

#include <stdint.h>

/* The number block index i carries on the wire. */
uint16_t tftp_block_number(uint64_t i, unsigned rollover);

/* The first index at or after from whose number is n, or UINT64_MAX when
 * none is (n = 0 with rollover 1, past index 0).  What an ACK of n means
 * when from is the oldest unacknowledged block. */
uint64_t tftp_block_index(uint16_t n, uint64_t from, unsigned rollover);

#endif
