/* SPDX-License-Identifier: MIT */
/* bootslot.c -- the A/B boot slots on the ESP; see bootslot.h. */
#include "bootslot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "durable.h"

/* systemd-boot's vendor GUID: its variables in efivarfs are NAME-GUID,
 * 4 bytes of attributes, then the value (here UTF-16LE, NUL-terminated). */
#define LOADER_ENTRY_SELECTED "LoaderEntrySelected-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
#define GEN_DIGITS_MAX 9 /* generations up to 999999999 */

static const char tmp_names[BOOTSLOT_COUNT][16] = { ".tern-a.tmp", ".tern-b.tmp" };

char bootslot_letter(int slot)
{
	return slot == BOOTSLOT_B ? 'B' : 'A';
}

static bool valid_slot(int slot)
{
	return slot == BOOTSLOT_A || slot == BOOTSLOT_B;
}

/* Digits at *p (at most max of them) as a number; advances *p. */
static bool parse_digits(const char **p, unsigned max, unsigned long *v)
{
	unsigned n = 0;
	*v = 0;
	while (**p >= '0' && **p <= '9') {
		if (++n > max)
			return false;
		*v = *v * 10 + (unsigned long)(**p - '0');
		(*p)++;
	}
	return n > 0;
}

int bootslot_parse_name(const char *name, struct bootslot *s)
{
	const char *p = name;
	unsigned long gen, left, done = 0;
	int slot;
	bool counted = false, garbage = false;

	if (strlen(name) >= BOOTSLOT_NAME_MAX || strncasecmp(p, "tern-", 5) != 0)
		goto bad;
	p += 5;
	if (!parse_digits(&p, GEN_DIGITS_MAX, &gen) || *p++ != '-')
		goto bad;
	if (*p == 'a' || *p == 'A')
		slot = BOOTSLOT_A;
	else if (*p == 'b' || *p == 'B')
		slot = BOOTSLOT_B;
	else
		goto bad;
	p++;
	if (*p == '+') {
		const char *q = ++p;

		counted = true;
		if (!parse_digits(&q, 4, &left) ||
		    (*q == '-' && (q++, !parse_digits(&q, 4, &done))) || strcasecmp(q, ".efi") != 0) {
			/* Not a counter we read: skip to the suffix. */
			size_t n = strlen(p);

			if (n < 4 || strcasecmp(p + n - 4, ".efi") != 0)
				goto bad;
			garbage = true;
			left = done = 0;
		}
	} else if (strcasecmp(p, ".efi") != 0)
		goto bad;
	if (s) {
		s->present = true;
		s->gen = gen;
		s->tries_left = counted ? (int)left : -1;
		s->tries_done = counted ? (int)done : -1;
		s->bad_counter = garbage;
		strcpy(s->name, name);
	}
	return slot;
bad:
	errno = EINVAL;
	return -1;
}

/* BOOTSLOT_DIR on the ESP, opened; errno ENOENT when it is missing. */
static int open_slot_dir(int espfd)
{
	return openat(espfd, BOOTSLOT_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* A stream over dirfd's entries from the start (dirfd stays open). */
static DIR *read_dir(int dirfd)
{
	int fd = dup(dirfd);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return NULL;
	}
	rewinddir(d);
	return d;
}

static int scan_dir(int dirfd, struct bootslot slots[BOOTSLOT_COUNT])
{
	DIR *d = read_dir(dirfd);
	struct dirent *e;

	memset(slots, 0, sizeof(struct bootslot) * BOOTSLOT_COUNT);
	if (!d)
		return -1;
	for (;;) {
		struct bootslot s;
		int slot;

		errno = 0;
		if (!(e = readdir(d)))
			break;
		slot = bootslot_parse_name(e->d_name, &s);
		if (slot < 0 || (e->d_type != DT_REG && e->d_type != DT_UNKNOWN))
			continue;
		if (!slots[slot].present || s.gen > slots[slot].gen)
			slots[slot] = s;
	}
	if (errno) {
		int err = errno;
		closedir(d);
		errno = err;
		return -1;
	}
	closedir(d);
	return 0;
}

int bootslot_scan(int espfd, struct bootslot slots[BOOTSLOT_COUNT])
{
	int dirfd = open_slot_dir(espfd), r;

	if (dirfd < 0) {
		memset(slots, 0, sizeof(struct bootslot) * BOOTSLOT_COUNT);
		return errno == ENOENT ? 0 : -1;
	}
	r = scan_dir(dirfd, slots);
	close(dirfd);
	return r;
}

/* Does a boot before b in systemd-boot's order?  Used-up entries last,
 * then the higher file name (generation first; B's name is the higher
 * of two equal generations). */
static bool boots_before(const struct bootslot *a, int aslot,
			 const struct bootslot *b, int bslot)
{
	if ((a->tries_left == 0) != (b->tries_left == 0))
		return b->tries_left == 0;
	if (a->gen != b->gen)
		return a->gen > b->gen;
	return aslot > bslot;
}

int bootslot_next(const struct bootslot slots[BOOTSLOT_COUNT])
{
	const struct bootslot *a = &slots[BOOTSLOT_A], *b = &slots[BOOTSLOT_B];

	if (!a->present && !b->present) {
		errno = ENOENT;
		return -1;
	}
	if (!b->present)
		return BOOTSLOT_A;
	if (!a->present)
		return BOOTSLOT_B;
	return boots_before(a, BOOTSLOT_A, b, BOOTSLOT_B) ? BOOTSLOT_A : BOOTSLOT_B;
}

/* The entry id systemd-boot booted, from its EFI variable, as ASCII;
 * -1 when the variable is missing or not an ASCII string. */
static int loader_entry_selected(const char *efivars, char *out, size_t size)
{
	unsigned char buf[4 + 2 * BOOTSLOT_NAME_MAX];
	char path[256];
	ssize_t n;
	size_t i, o = 0;
	int fd;

	snprintf(path, sizeof path, "%s/%s", efivars ? efivars : BOOTSLOT_EFIVARS,
		 LOADER_ENTRY_SELECTED);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 6)
		return -1;
	for (i = 4; i + 1 < (size_t)n; i += 2) {
		unsigned c = buf[i] | (unsigned)buf[i + 1] << 8;
		if (c == 0)
			break;
		if (c < 0x20 || c > 0x7e || o + 1 >= size)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}

int bootslot_running(int espfd, const char *efivars)
{
	struct bootslot slots[BOOTSLOT_COUNT];
	char id[BOOTSLOT_NAME_MAX];
	int slot;

	if (loader_entry_selected(efivars, id, sizeof id) == 0 &&
	    (slot = bootslot_parse_name(id, NULL)) >= 0)
		return slot;
	if (bootslot_scan(espfd, slots) < 0)
		return -1;
	return bootslot_next(slots);
}

/* A test's power cut at a named point of an install (bootslot.h): with
 * TERN_FAULT=<point> in the environment, say so on stderr and stop here for
 * good, so the test kills the machine in exactly this state.  Nothing on a
 * box sets it; it is read each time, so one process arms only itself. */
static void fault_point(const char *point)
{
	const char *armed = getenv("TERN_FAULT");

	if (!armed || strcmp(armed, point) != 0)
		return;
	dprintf(STDERR_FILENO, "bootslot: fault point %s reached: stopped (TERN_FAULT)\n", point);
	for (;;)
		pause();
}

/* Close fd, errno as it was; returns r. */
static int close_keeping_errno(int fd, int r)
{
	int err = errno;

	close(fd);
	errno = err;
	return r;
}

/* Remove slot's files other than keep (older generations). */
static int remove_others(int dirfd, int slot, const char *keep)
{
	DIR *d = read_dir(dirfd);
	struct dirent *e;
	int r = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (bootslot_parse_name(e->d_name, NULL) == slot &&
		    strcmp(e->d_name, keep) != 0 && unlinkat(dirfd, e->d_name, 0) < 0)
			r = -1;
	closedir(d);
	return r;
}

static int make_slot_dir(int espfd)
{
	if (mkdirat(espfd, "EFI", 0755) < 0 && errno != EEXIST)
		return -1;
	if (mkdirat(espfd, BOOTSLOT_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	return open_slot_dir(espfd);
}

/* The slot directory (made first if make), scanned into slots; -1 with
 * errno (EINVAL: slot is none) and nothing left open on failure. */
static int open_scanned(int espfd, int slot, bool make, struct bootslot slots[BOOTSLOT_COUNT])
{
	int dirfd;

	if (!valid_slot(slot)) {
		errno = EINVAL;
		return -1;
	}
	dirfd = make ? make_slot_dir(espfd) : open_slot_dir(espfd);
	if (dirfd < 0)
		return -1;
	if (scan_dir(dirfd, slots) < 0)
		return close_keeping_errno(dirfd, -1);
	return dirfd;
}

int bootslot_install(int espfd, int slot, const void *image, size_t len,
		     unsigned tries)
{
	struct bootslot slots[BOOTSLOT_COUNT];
	struct statvfs vfs;
	char name[BOOTSLOT_NAME_MAX];
	unsigned long gen;
	int dirfd;

	if (tries < 1 || tries > 9 || !image || len == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((dirfd = open_scanned(espfd, slot, true, slots)) < 0)
		return -1;
	/* Room for the new file beside both old ones, checked before a byte
	 * is written (the write would fail too, but later). */
	if (fstatvfs(dirfd, &vfs) == 0 &&
	    (unsigned long long)vfs.f_bavail * vfs.f_frsize < len) {
		errno = ENOSPC;
		return close_keeping_errno(dirfd, -1);
	}
	gen = slots[BOOTSLOT_A].gen > slots[BOOTSLOT_B].gen ?
		slots[BOOTSLOT_A].gen : slots[BOOTSLOT_B].gen;
	if (++gen > 999999999UL) {
		errno = EOVERFLOW;
		return close_keeping_errno(dirfd, -1);
	}
	snprintf(name, sizeof name, "tern-%lu-%c+%u.efi", gen, slot == BOOTSLOT_B ? 'b' : 'a', tries);
	/* The image in a file the boot loader ignores (a name starting with
	 * a dot, not ending in .efi), then renamed (durable.h). */
	if (durable_write_tmp(dirfd, tmp_names[slot], image, len) < 0)
		return close_keeping_errno(dirfd, -1);
	fault_point(BOOTSLOT_FAULT_WRITTEN);
	if (durable_rename(dirfd, tmp_names[slot], name) < 0)
		return close_keeping_errno(dirfd, -1);
	fault_point(BOOTSLOT_FAULT_RENAMED);
	if (durable_sync(dirfd, name) < 0)
		return close_keeping_errno(dirfd, -1);
	fault_point(BOOTSLOT_FAULT_COMMITTED);
	/* From here the new slot is in place; the old files only shadow
	 * nothing (a lower generation), so failing to remove them is not
	 * fatal to the boot, but is reported. */
	if (remove_others(dirfd, slot, name) < 0 || fsync(dirfd) < 0)
		return close_keeping_errno(dirfd, -1);
	return close_keeping_errno(dirfd, 0);
}

int bootslot_mark_good(int espfd, int slot)
{
	struct bootslot slots[BOOTSLOT_COUNT];
	char name[BOOTSLOT_NAME_MAX];
	int dirfd;

	if ((dirfd = open_scanned(espfd, slot, false, slots)) < 0)
		return -1;
	if (!slots[slot].present) {
		errno = ENOENT;
		return close_keeping_errno(dirfd, -1);
	}
	if (slots[slot].tries_left < 0) {
		close(dirfd);
		return 0;
	}
	snprintf(name, sizeof name, "tern-%lu-%c.efi", slots[slot].gen, slot == BOOTSLOT_B ? 'b' : 'a');
	if (renameat(dirfd, slots[slot].name, dirfd, name) < 0 || durable_sync(dirfd, name) < 0)
		return close_keeping_errno(dirfd, -1);
	return close_keeping_errno(dirfd, 0);
}

int bootslot_repair(int espfd)
{
	DIR *d;
	struct dirent *e;
	int dirfd = open_slot_dir(espfd), n = 0;

	if (dirfd < 0)
		return errno == ENOENT ? 0 : -1;
	if (!(d = read_dir(dirfd)))
		return close_keeping_errno(dirfd, -1);
	while ((e = readdir(d))) {
		struct bootslot s;
		char name[BOOTSLOT_NAME_MAX];
		int slot = bootslot_parse_name(e->d_name, &s);

		if (slot < 0 || !s.bad_counter)
			continue;
		snprintf(name, sizeof name, "tern-%lu-%c+0-1.efi", s.gen, slot == BOOTSLOT_B ? 'b' : 'a');
		if (renameat(dirfd, s.name, dirfd, name) < 0 || durable_sync(dirfd, name) < 0) {
			closedir(d);
			return close_keeping_errno(dirfd, -1);
		}
		n++;
	}
	closedir(d);
	close(dirfd);
	return n;
}
