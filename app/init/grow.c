/* SPDX-License-Identifier: MIT */
/* grow.c -- see grow.h. */
#include "grow.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/blkpg.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "conf.h"
#include "gpt.h"
#include "log.h"

/* From the kernel's fs/ext4/ext4.h (not in its uapi headers). */
#define EXT4_IOC_RESIZE_FS _IOW('f', 16, uint64_t)
#define EXT4_SUPER_MAGIC 0xef53
#define EXT4_FEATURE_INCOMPAT_64BIT 0x80
#define MIB 1048576ull

static struct gpt_plan plan; /* 40 KiB: not on init's stack */
static unsigned char head[GPT_HEAD_BYTES];

/* A number from /sys/class/block/NAME/FILE; -1 if unreadable. */
static long long sys_number(const char *name, const char *file)
{
	char path[128], text[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/sys/class/block/%s/%s", name, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = conf_read_small_fd(fd, text, sizeof text);
	close(fd);
	return n > 0 ? strtoll(text, NULL, 10) : -1;
}

/* Write the plan in its order, each write on the disk before the next. */
static int write_plan(int fd, const char *disk)
{
	for (size_t i = 0; i < plan.n; i++)
		if (pwrite(fd, plan.w[i].data, plan.w[i].len, (off_t)plan.w[i].offset) !=
		    (ssize_t)plan.w[i].len || fsync(fd) < 0) {
			log_errno("/dev/%s: unable to write its partition table (step %zu of %zu)",
				  disk, i + 1, plan.n);
			return -1;
		}
	return 0;
}

/* The GPT, then the kernel's partition: the partition's size in bytes
 * (the kernel's), or -1. */
static long long grow_table(const char *part, const char *disk, long long partno)
{
	unsigned long long bytes;
	int fd, sector, n;
	const char *why = NULL;
	char path[64];
	long long size;

	snprintf(path, sizeof path, "/dev/%s", disk);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, BLKSSZGET, &sector) < 0 || ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
		log_errno("/dev/%s: unable to open it to grow %s", disk, part);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	n = (int)pread(fd, head, sizeof head, 0);
	if (n < 0 || (n = gpt_grow_plan(head, (size_t)n, (unsigned)sector, bytes / (unsigned)sector,
					(unsigned)partno, &plan, &why)) < 0) {
		if (n < 0 && !why)
			log_errno("/dev/%s: unable to read its partition table", disk);
		else
			log_warn("/dev/%s: %s not grown: %s", disk, part, why);
		close(fd);
		return -1;
	}
	if (n && write_plan(fd, disk) < 0) {
		close(fd);
		return -1;
	}
	size = (long long)(plan.new_end - plan.first + 1) * sector;
	if (plan.new_end != plan.old_end)
		log_info("/dev/%s: partition %lld (%s) grown from %llu to %llu MiB", disk, partno,
			 part, (plan.old_end - plan.first + 1) * (unsigned)sector / MIB,
			 (unsigned long long)size / MIB);
	/* The running kernel read the table at boot: tell it (sysfs counts
	 * 512-byte sectors). */
	if (sys_number(part, "size") * 512 != size) {
		struct blkpg_partition bp = { .start = (long long)plan.first * sector,
					      .length = size, .pno = (int)partno };
		struct blkpg_ioctl_arg arg = { .op = BLKPG_RESIZE_PARTITION,
					       .datalen = sizeof bp, .data = &bp };

		if (ioctl(fd, BLKPG, &arg) < 0) {
			log_errno("/dev/%s: unable to tell the kernel %s grew (BLKPG)", disk, part);
			size = -1;
		}
	}
	close(fd);
	return size;
}

/* The ext4 on /dev/part: its block count and size, from its superblock. */
static int ext4_size(const char *part, uint64_t *blocks, unsigned *bsize)
{
	unsigned char sb[1024];
	char path[64];
	int fd;

	snprintf(path, sizeof path, "/dev/%s", part);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (pread(fd, sb, sizeof sb, 1024) != (ssize_t)sizeof sb) {
		close(fd);
		return -1;
	}
	close(fd);
	if ((sb[0x38] | sb[0x39] << 8) != EXT4_SUPER_MAGIC || sb[0x18] > 6) {
		errno = EINVAL;
		return -1;
	}
	*bsize = 1024u << sb[0x18];
	*blocks = (uint64_t)sb[4] | (uint64_t)sb[5] << 8 | (uint64_t)sb[6] << 16 |
		  (uint64_t)sb[7] << 24;
	if (sb[0x60] & EXT4_FEATURE_INCOMPAT_64BIT)
		*blocks |= ((uint64_t)sb[0x150] | (uint64_t)sb[0x151] << 8 |
			    (uint64_t)sb[0x152] << 16 | (uint64_t)sb[0x153] << 24) << 32;
	return 0;
}

void grow_data(const char *part, const char *disk, const char *dir)
{
	long long partno = sys_number(part, "partition"), size;
	uint64_t blocks, want;
	unsigned bsize;
	int dfd;

	if (partno < 1 || (size = grow_table(part, disk, partno)) < 0)
		return;
	if (ext4_size(part, &blocks, &bsize) < 0) {
		log_errno("/dev/%s: unable to read its ext4 superblock; not grown", part);
		return;
	}
	want = (uint64_t)size / bsize;
	if (want <= blocks)
		return;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || ioctl(dfd, EXT4_IOC_RESIZE_FS, &want) < 0)
		log_errno("%s: unable to grow its ext4 from %llu to %llu MiB", dir,
			  (unsigned long long)(blocks * bsize / MIB),
			  (unsigned long long)(want * bsize / MIB));
	else
		log_info("%s: ext4 grown from %llu to %llu MiB", dir,
			 (unsigned long long)(blocks * bsize / MIB),
			 (unsigned long long)(want * bsize / MIB));
	if (dfd >= 0)
		close(dfd);
}
