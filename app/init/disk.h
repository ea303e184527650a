/* SPDX-License-Identifier: MIT */
/* disk.h -- boards that boot from a disk (CONFIG_BOOT_EFI_DISK): the EFI
 * system partition with the boot slots, the data partition with the
 * site's configuration, and marking the running slot good.
 *
 * The partitions are found by their GPT names (the kernel puts them in
 * /sys/class/block/NAME/uevent as PARTNAME=): "tern-esp", mounted on
 * /boot (BOOTSLOT_ESP), and "tern-data" on the same disk, mounted on
 * /data.  Then every regular file in /data/etc/tern replaces the image's
 * /etc/tern file of that name, /data/var/lib is bind-mounted on
 * /var/lib (leases survive reboots and updates), and the served tree
 * /srv (tftpd's and httpd's roots) becomes an overlay: /data/srv on top,
 * the image's /srv beneath.  What is written under /srv (a TFTP upload, a
 * copy on the box) lands in /data/srv and survives reboots and updates;
 * the image's files (loaders, boot.ipxe, its kernel) are the defaults a
 * file of the same name on top replaces.  One mount, so tftpd's and
 * httpd's openat2(RESOLVE_BENEATH) keeps them inside their roots as
 * before, and boards without a data partition keep the image's RAM tree.
 *
 * On a trial boot the slot is marked good once the services stayed up
 * (disk_good_wait) and the site's health check, HEALTH_FILE if there is
 * one, passed: run as "/bin/sh HEALTH_FILE SLOT NAME" (the slot's letter
 * and file name), a builtin service named HEALTH_SERVICE, it must exit 0
 * within CONFIG_BOOT_HEALTH_TIMEOUT seconds.  Anything else is a failed
 * try: init reboots, and the boot loader counts it.
 */
#ifndef TERN_INIT_DISK_H
#define TERN_INIT_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "supervise.h"

#define DISK_ESP_NAME  "tern-esp"
#define DISK_DATA_NAME "tern-data"
#define DISK_DATA_DIR  "/data"
#define DISK_SRV_DIR   "/srv"
#define DISK_SRV_UPPER DISK_DATA_DIR "/srv"
#define DISK_SRV_WORK  DISK_DATA_DIR "/.srv-work" /* the overlay's, on the same fs */
#define DISK_WAIT_S    10 /* for the disk to appear (USB storage is slow) */
#define HEALTH_FILE    "/etc/tern/health"
#define HEALTH_SERVICE "health-check"

/* From a partition's uevent text (KEY=VALUE lines): its DEVNAME and
 * PARTNAME, each cut to its buffer.  False unless both are there.  Pure. */
bool disk_uevent_parse(const char *text, size_t len, char *devname, size_t dsize,
		       char *partname, size_t psize);

/* Find and mount the ESP and the data partition (waiting up to
 * DISK_WAIT_S for the ESP), apply the overrides, mount the served tree
 * and efivarfs, and log which slot booted.  Every failure is logged and
 * boot goes on. */
void disk_mount(void);

/* Test mode: when the test root has a boot/ (an ESP stand-in, with
 * sys/firmware/efi/efivars beside it if the test wants), its slots are
 * managed as on a disk board: disk_watch marks the running one good. */
void disk_test_slots(void);

/* Milliseconds until the running slot may be marked good: every respawned
 * service of sv has run for delay_ms since both its start and ready_ms
 * (clock_ms() readings: due 1 ms after their sum, never early); 0 when
 * that holds now.  A service not running makes it wait (1 s, then
 * look again).  Pure. */
int64_t disk_good_wait(const struct supervisor *sv, int64_t now, int64_t ready_ms,
		       int64_t delay_ms);

/* If the running slot is on trial: a step of the loop that marks it good
 * once disk_good_wait() says the services stayed up since ready_ms and
 * the health check passed (and takes itself off); a failed check reboots.
 * A stop signal first: never marked. */
void disk_watch(struct loop *l, int64_t ready_ms);

#endif
