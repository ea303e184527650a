/* SPDX-License-Identifier: MIT */
/* gpt.c -- see gpt.h.  The layout is UEFI 2.x, chapter 5.3. */
#include "gpt.h"

#include <string.h>

/* The GPT header's fields: byte offsets, all little-endian. */
enum {
	H_SIGNATURE = 0, H_HEADER_SIZE = 12, H_HEADER_CRC = 16, H_MY_LBA = 24,
	H_ALTERNATE_LBA = 32, H_FIRST_USABLE = 40, H_LAST_USABLE = 48,
	H_ENTRIES_LBA = 72, H_ENTRIES_COUNT = 80, H_ENTRY_SIZE = 84, H_ENTRIES_CRC = 88,
	H_SIZE = 92,
};
/* An entry's: type GUID (zero: unused), first and last LBA. */
enum { E_TYPE = 0, E_FIRST = 32, E_LAST = 40 };
/* The protective MBR's first partition record: type, size in sectors. */
enum { MBR_TYPE = 446 + 4, MBR_SIZE = 446 + 12, MBR_GPT = 0xee };

#define MIB 1048576u

uint32_t gpt_crc32(const unsigned char *p, size_t len)
{
	uint32_t c = 0xffffffffu;

	while (len--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static uint64_t get(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static void put(unsigned char *p, int bytes, uint64_t v)
{
	for (int i = 0; i < bytes; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

/* Header h (its size fields checked) with my/alternate/entries LBAs and
 * last usable LBA set, and both CRCs computed over entries (n bytes). */
static void seal(unsigned char *h, uint64_t my, uint64_t alternate, uint64_t entries_lba,
		 uint64_t last_usable, const unsigned char *entries, size_t n)
{
	put(h + H_MY_LBA, 8, my);
	put(h + H_ALTERNATE_LBA, 8, alternate);
	put(h + H_ENTRIES_LBA, 8, entries_lba);
	put(h + H_LAST_USABLE, 8, last_usable);
	put(h + H_ENTRIES_CRC, 4, gpt_crc32(entries, n));
	put(h + H_HEADER_CRC, 4, 0);
	put(h + H_HEADER_CRC, 4, gpt_crc32(h, H_SIZE));
}

/* The primary header at h verifies (signature, size, both CRCs, at LBA 1,
 * entries at LBA 2 inside len bytes of head). */
static const char *check_primary(const unsigned char *head, size_t len, unsigned sector,
				 size_t *entries_bytes)
{
	const unsigned char *h = head + sector;
	unsigned char copy[H_SIZE];
	size_t count, size;

	if (len < 2 * (size_t)sector || memcmp(h + H_SIGNATURE, "EFI PART", 8) != 0)
		return "no GPT header at LBA 1";
	if (get(h + H_HEADER_SIZE, 4) != H_SIZE)
		return "a GPT header of an unknown size";
	memcpy(copy, h, H_SIZE);
	put(copy + H_HEADER_CRC, 4, 0);
	if (gpt_crc32(copy, H_SIZE) != get(h + H_HEADER_CRC, 4))
		return "the primary GPT header's CRC does not match";
	if (get(h + H_MY_LBA, 8) != 1 || get(h + H_ENTRIES_LBA, 8) != 2)
		return "the primary GPT's entries are not at LBA 2";
	count = get(h + H_ENTRIES_COUNT, 4);
	size = get(h + H_ENTRY_SIZE, 4);
	if (size < 128 || size % 8 || count == 0 || count * size > GPT_ENTRIES_MAX ||
	    2 * (size_t)sector + count * size > len)
		return "a GPT entry array of an unsupported size";
	if (gpt_crc32(head + 2 * sector, count * size) != get(h + H_ENTRIES_CRC, 4))
		return "the primary GPT entries' CRC does not match";
	*entries_bytes = count * size;
	return NULL;
}

int gpt_grow_plan(const unsigned char *head, size_t len, unsigned sector,
		  uint64_t disk_sectors, unsigned partno, struct gpt_plan *p, const char **why)
{
	const unsigned char *h = head + sector, *entries = head + 2 * sector;
	size_t n_bytes, esize, count, e_sectors, upto;
	uint64_t last, last_usable, align, new_end;
	unsigned char *e;

	*why = NULL;
	memset(p, 0, sizeof *p);
	if (sector < 512 || sector > GPT_SECTOR_MAX || sector & (sector - 1)) {
		*why = "an unsupported sector size";
		return -1;
	}
	if ((*why = check_primary(head, len, sector, &n_bytes)))
		return -1;
	esize = get(h + H_ENTRY_SIZE, 4);
	count = n_bytes / esize;
	e_sectors = (n_bytes + sector - 1) / sector;
	if (partno < 1 || partno > count || !get(entries + (partno - 1) * esize + E_TYPE, 8) ||
	    disk_sectors < 2 * e_sectors + 3) {
		*why = "no such partition";
		return -1;
	}
	e = p->primary + sector; /* the new entries, after the new header */
	memcpy(p->primary, h, sector);
	memcpy(e, entries, n_bytes);
	p->partno = partno;
	p->first = get(e + (partno - 1) * esize + E_FIRST, 8);
	p->old_end = get(e + (partno - 1) * esize + E_LAST, 8);
	for (size_t i = 0; i < count; i++)
		if (i != partno - 1 && get(e + i * esize + E_TYPE, 8) &&
		    get(e + i * esize + E_LAST, 8) > p->old_end) {
			*why = "the partition is not the last one on the disk";
			return -1;
		}

	last = disk_sectors - 1;
	last_usable = last - e_sectors - 1;
	if (last_usable < p->old_end) {
		*why = "the disk is smaller than the partition";
		return -1;
	}
	align = MIB / sector;
	new_end = (last_usable + 1) / align * align - 1;
	if (new_end < p->old_end)
		new_end = p->old_end; /* never shrink; just move the backup */
	p->new_end = new_end;
	put(e + (partno - 1) * esize + E_LAST, 8, new_end);

	/* 1. The backup: entries, then its header at the last LBA. */
	if (get(h + H_ALTERNATE_LBA, 8) != last || get(h + H_LAST_USABLE, 8) != last_usable ||
	    p->old_end != new_end) {
		memcpy(p->backup, e, n_bytes);
		memcpy(p->backup + e_sectors * sector, h, sector);
		seal(p->backup + e_sectors * sector, last, 1, last - e_sectors, last_usable, e,
		     n_bytes);
		p->w[p->n++] = (struct gpt_write){ (last - e_sectors) * sector,
						   (e_sectors + 1) * sector, p->backup };
		/* 2. The primary header and its entries up to the grown one. */
		seal(p->primary, 1, last, 2, last_usable, e, n_bytes);
		upto = ((partno - 1) * esize + esize + sector - 1) / sector;
		p->w[p->n++] = (struct gpt_write){ sector, (1 + upto) * sector, p->primary };
	}
	/* 3. The protective MBR covers the whole disk (or as much as 32 bits do). */
	memcpy(p->mbr, head, sector);
	if (p->mbr[MBR_TYPE] == MBR_GPT &&
	    get(p->mbr + MBR_SIZE, 4) != (last > 0xffffffffu ? 0xffffffffu : last)) {
		put(p->mbr + MBR_SIZE, 4, last > 0xffffffffu ? 0xffffffffu : last);
		p->w[p->n++] = (struct gpt_write){ 0, sector, p->mbr };
	}
	return (int)p->n;
}
