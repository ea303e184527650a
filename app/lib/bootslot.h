/* SPDX-License-Identifier: MIT */
/* bootslot.h -- the two boot slots (A and B) on the EFI system partition.
 *
 * A slot is one EFI-bootable file (a unified kernel image: kernel,
 * initramfs and command line) in EFI/Linux/ on the ESP, named
 *
 *     tern-<gen>-<slot>[+<left>[-<done>]].efi     e.g. tern-7-b+2-1.efi
 *
 * <gen> is a decimal generation: installing a slot gives it one more than
 * the largest on the ESP.  The boot loader (systemd-boot 252, see
 * board/pc_x86_64/readme.md) lists these files and boots the first of
 * them in this order: entries whose tries are used up (+0-N) last, then by
 * file name, highest version first -- so the newest generation with tries
 * left boots.  "+<left>-<done>" is systemd-boot's boot counter: it
 * decrements <left> and increments <done> (renaming the file) before each
 * boot; mark-good renames the file to drop the counter.  So a freshly
 * installed slot boots first, for <left> tries; if it is never marked
 * good, it sorts last and the other slot boots again.
 *
 * Every function takes the ESP as a directory fd (espfd, opened with
 * O_DIRECTORY on the ESP's mount point, normally BOOTSLOT_ESP), so the
 * host tests run them on a plain directory.  They return 0 (or a slot)
 * on success and -1 with errno set on failure; a failure never leaves a
 * slot half-written under a name the boot loader reads.
 */
#ifndef TERN_BOOTSLOT_H
#define TERN_BOOTSLOT_H

#include <stdbool.h>
#include <stddef.h>

#define BOOTSLOT_ESP     "/boot"      /* where init mounts the ESP */
#define BOOTSLOT_DIR     "EFI/Linux"  /* the slots, relative to the ESP */
#define BOOTSLOT_EFIVARS "/sys/firmware/efi/efivars"
#define BOOTSLOT_NAME_MAX 64          /* bytes in a slot's file name, NUL included */

enum { BOOTSLOT_A = 0, BOOTSLOT_B = 1, BOOTSLOT_COUNT = 2 };

/* One slot as found on the ESP. */
struct bootslot {
	bool present;                 /* a file for this slot exists */
	unsigned long gen;            /* its generation */
	int tries_left;               /* -1: good (no counter); 0: used up */
	int tries_done;               /* -1 when good */
	bool bad_counter;             /* "+<garbage>.efi": 0 tries left (bootslot_repair) */
	char name[BOOTSLOT_NAME_MAX]; /* its file name in BOOTSLOT_DIR */
};

/* 'A' or 'B'. */
char bootslot_letter(int slot);

/* The other slot. */
static inline int bootslot_other(int slot) { return slot ^ 1; }

/* Parse a slot file name (any case, as systemd-boot lower-cases it in
 * LoaderEntrySelected) into *s (name copied); -1 (EINVAL) when name is not
 * a slot file.  A slot file whose boot counter is not +LEFT[-DONE] of at
 * most 4 digits each ("tern-2-b+x.efi", a damaged name) is one with no
 * tries left and bad_counter set: systemd-boot boots such a name without
 * counting (it reads no counter in it), so it is never taken for good. */
int bootslot_parse_name(const char *name, struct bootslot *s);

/* Read BOOTSLOT_DIR on the ESP into slots[BOOTSLOT_COUNT].  When one slot
 * has several files (a power cut between a rename and an unlink), the one
 * of the highest generation counts.  A missing BOOTSLOT_DIR means no slots. */
int bootslot_scan(int espfd, struct bootslot slots[BOOTSLOT_COUNT]);

/* The slot the boot loader boots next: of the present slots, the one
 * with tries left (or good) and the higher generation; else any present
 * one.  -1 (ENOENT) when none is present. */
int bootslot_next(const struct bootslot slots[BOOTSLOT_COUNT]);

/* The slot this system booted from: systemd-boot's LoaderEntrySelected
 * EFI variable in efivars (a directory laid out like efivarfs; NULL means
 * BOOTSLOT_EFIVARS), else, when the variable is missing or names no slot
 * file, bootslot_next() of the ESP.  -1 (ENOENT) when the ESP has no slot. */
int bootslot_running(int espfd, const char *efivars);

/* Write image (len bytes) into slot and arm it for `tries` trial boots
 * (1..9): written to a temporary file in BOOTSLOT_DIR that the boot loader
 * ignores, fsync'ed, renamed to tern-<gen>-<slot>+<tries>.efi with gen one
 * above every other, the directory then the file fsync'ed (on FAT the new
 * name owns the file's clusters only once the file is synced; see
 * durable_sync in durable.h), then the slot's older files removed.  A failure or a power cut at any point leaves the other slot as
 * it was and bootable.  The caller passes the slot that is not running
 * (bootslot_other(bootslot_running(...))); this function does not look at
 * EFI variables.  ENOSPC when the ESP is too full, EINVAL for a bad slot,
 * tries or an empty image. */
int bootslot_install(int espfd, int slot, const void *image, size_t len,
		     unsigned tries);

/* Fault points of bootslot_install, for the power-cut tests
 * (tests/qemu/disk_faults.t): run it with TERN_FAULT=<point> in the
 * environment and it prints "bootslot: fault point <point> reached" on
 * stderr and stops there for good, so the test cuts the power in exactly
 * that state.
 *   WRITTEN    the image is on disk as the temporary file; the rename that
 *              commits the switch has not happened
 *   RENAMED    right after rename(2), before anything is synced: the disk
 *              holds whatever the kernel wrote back by itself
 *   COMMITTED  the rename is on disk (the new slot boots next); the slot's
 *              older files are not removed yet */
#define BOOTSLOT_FAULT_WRITTEN   "slot-written"
#define BOOTSLOT_FAULT_RENAMED   "slot-renamed"
#define BOOTSLOT_FAULT_COMMITTED "slot-committed"

/* Rename every slot file with a bad counter to tern-<gen>-<slot>+0-1.efi
 * (synced as install does), so systemd-boot skips it as a slot with no
 * tries left, unless init marks it good from the boot it is running: a
 * damaged name is never booted twice untested.  init calls it at boot;
 * returns how many it renamed, -1 with errno on failure. */
int bootslot_repair(int espfd);

/* Mark slot good: rename its file to drop the boot counter
 * (tern-7-b+2-1.efi -> tern-7-b.efi) and sync the rename as install does
 * (a power cut in between leaves the slot's file empty: the other slot
 * boots).  A slot that
 * is good already is left alone (returns 0); ENOENT when it has no file. */
int bootslot_mark_good(int espfd, int slot);

#endif
