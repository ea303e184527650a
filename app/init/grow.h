/* SPDX-License-Identifier: MIT */
/* grow.h -- the data partition fills its disk.
 *
 * A disk image made for 98 MiB, written to a box's far bigger disk, leaves
 * most of the disk unused.  At every boot, once the data partition is
 * mounted, init grows it to the end of its disk when there is a MiB or
 * more to gain: the GPT first (gpt.h: the new backup at the disk's end,
 * then the primary, then the protective MBR, each on the disk before the
 * next), then the running kernel's idea of the partition (BLKPG), then the
 * mounted ext4 (EXT4_IOC_RESIZE_FS: online, journalled).  A power cut at
 * any point leaves a disk that boots with the old size or the new, and the
 * next boot finishes what is left; a partition table it does not know how
 * to grow (not GPT, the partition not the last) is logged and left alone.
 */
#ifndef TERN_INIT_GROW_H
#define TERN_INIT_GROW_H

/* part: the partition's block device name ("sda2"), on the disk named
 * disk ("sda"); dir: where its ext4 is mounted.  Every failure is logged;
 * boot goes on with what there is. */
void grow_data(const char *part, const char *disk, const char *dir);

#endif
