/* SPDX-License-Identifier: MIT */
/* gpt.h -- growing the last partition of a GPT disk to the end of the
 * disk: a disk image made for 98 MiB, written to a box's far bigger disk,
 * gets its data partition grown on the first boot.
 *
 * Pure: gpt_grow_plan() reads the start of the disk from memory and says
 * which bytes to write where, in order; the caller writes them one after
 * the other, each on stable storage before the next (disk.c).  A power
 * cut between two of them, or during one, leaves a disk that boots:
 *
 *   1. the new backup table at the disk's new end (entries, then header:
 *      one write).  The primary table still points at the old backup, at
 *      the old end, untouched: the old layout holds.
 *   2. the primary header and its entries up to the grown entry (LBA 1 to
 *      2 or so: one write of a few sectors).  The new layout holds.  A cut
 *      inside this write can leave a primary that does not verify; the
 *      firmware then finds the valid new backup at the disk's last LBA
 *      and restores the primary from it (UEFI 2.x, 5.3.2; EDK2 and OVMF
 *      do), before Linux reads it.
 *   3. the protective MBR's size (one sector; Linux only notes a stale
 *      one).
 *
 * Each step that is already done is left out of the plan, so after a cut
 * the next boot finishes the job.  The partition's new end is the last
 * usable LBA rounded down to a MiB.
 */
#ifndef TERN_INIT_GPT_H
#define TERN_INIT_GPT_H

#include <stddef.h>
#include <stdint.h>

#define GPT_SECTOR_MAX  4096
#define GPT_ENTRIES_MAX 16384 /* bytes of the entry array (128 x 128 bytes) */
/* What gpt_grow_plan() reads: the MBR, the primary header and its entries. */
#define GPT_HEAD_BYTES  (2 * GPT_SECTOR_MAX + GPT_ENTRIES_MAX)
#define GPT_WRITES_MAX  3

struct gpt_write {
	uint64_t offset; /* bytes from the disk's start */
	size_t len;
	const unsigned char *data; /* into the plan's buffers */
};

struct gpt_plan {
	unsigned partno;         /* 1-based */
	uint64_t first, old_end, new_end; /* the partition's LBAs (end inclusive) */
	size_t n;
	struct gpt_write w[GPT_WRITES_MAX];
	unsigned char backup[GPT_ENTRIES_MAX + GPT_SECTOR_MAX];
	unsigned char primary[GPT_SECTOR_MAX + GPT_ENTRIES_MAX];
	unsigned char mbr[GPT_SECTOR_MAX];
};

/* The CRC-32 of the GPT (and of zlib): reflected 0x04C11DB7.  Pure. */
uint32_t gpt_crc32(const unsigned char *p, size_t len);

/* head: the disk's first len bytes (GPT_HEAD_BYTES, or all of a smaller
 * disk); sector: its logical sector size (512 or 4096); disk_sectors: its
 * size.  Plans growing partition partno (1-based) to the end: returns
 * the number of writes (p->n, 0 when there is nothing to do), or -1 with
 * *why set when the table is not one this grows (no valid primary GPT,
 * the partition is not the last one on the disk, entries elsewhere than
 * LBA 2, ...).  Pure. */
int gpt_grow_plan(const unsigned char *head, size_t len, unsigned sector,
		  uint64_t disk_sectors, unsigned partno, struct gpt_plan *p, const char **why);

#endif
