/* SPDX-License-Identifier: MIT */
/* block.c -- see block.h.  Pure. */
#include "block.h"

/* With rollover 0, numbers repeat every 65536 indexes; with rollover 1,
 * indexes 1, 2, ... carry 1..65535 over and over (65535 numbers). */
uint16_t tftp_block_number(uint64_t i, unsigned rollover)
{
	if (!rollover || i == 0)
		return (uint16_t)i;
	return (uint16_t)((i - 1) % 65535 + 1);
}

uint64_t tftp_block_index(uint16_t n, uint64_t from, unsigned rollover)
{
	if (!rollover)
		return from + (uint16_t)(n - (uint16_t)from);
	if (n == 0)
		return from == 0 ? 0 : UINT64_MAX;
	if (from == 0)
		from = 1;
	/* (from - 1) % 65535 + 1 is from's number; step forward to n. */
	return from + ((uint64_t)n + 65535 - ((from - 1) % 65535 + 1)) % 65535;
}
