/* SPDX-License-Identifier: MIT */
/* disk.c -- see disk.h. */
#include "disk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bootslot.h"
#include "clock.h"
#include "conf.h"
#include "fwfloor.h"
#include "grow.h"
#include "log.h"
#include "root.h"
#include "settings.h"

#define OVERRIDE_DIR  DISK_DATA_DIR "/etc/tern"
#define OVERRIDE_MAX  (1024 * 1024) /* bytes in one override file */
#define SYS_BLOCK     "/sys/class/block"
#define EFI_DIR       "/sys/firmware/efi"

struct part {
	char dev[64];    /* /dev/sda1 */
	char parent[32]; /* sda: the disk it is on */
};

static int esp_fd = -1;
static int running = -1;

/* The value of KEY= in uevent text, cut to size; false if absent. */
static bool uevent_value(const char *text, size_t len, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if ((size_t)(eol - p) > klen && !memcmp(p, key, klen) && p[klen] == '=') {
			size_t n = (size_t)(eol - p) - klen - 1;
			if (n >= size)
				n = size - 1;
			memcpy(out, p + klen + 1, n);
			out[n] = '\0';
			return n > 0;
		}
		p = eol + 1;
	}
	return false;
}

bool disk_uevent_parse(const char *text, size_t len, char *devname, size_t dsize,
		       char *partname, size_t psize)
{
	return uevent_value(text, len, "DEVNAME", devname, dsize) &&
	       uevent_value(text, len, "PARTNAME", partname, psize);
}

/* The partition named name (on the disk parent, unless that is empty). */
static bool find_part(const char *name, const char *parent, struct part *p)
{
	DIR *d = opendir(SYS_BLOCK);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char path[300], text[1024], dev[32], pname[80], link[300];
		const char *slash;
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, SYS_BLOCK "/%s/uevent", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = conf_read_small_fd(fd, text, sizeof text);
		close(fd);
		if (n <= 0 || !disk_uevent_parse(text, (size_t)n, dev, sizeof dev, pname, sizeof pname) ||
		    strcmp(pname, name) != 0)
			continue;
		/* /sys/class/block/sda1 -> ../../devices/.../block/sda/sda1 */
		snprintf(path, sizeof path, SYS_BLOCK "/%s", e->d_name);
		n = readlink(path, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		*strrchr(link, '/') = '\0';
		slash = strrchr(link, '/');
		snprintf(p->parent, sizeof p->parent, "%.*s", (int)sizeof p->parent - 1,
			 slash ? slash + 1 : link);
		if (*parent && strcmp(parent, p->parent) != 0)
			continue;
		snprintf(p->dev, sizeof p->dev, "/dev/%s", dev);
		found = true;
	}
	closedir(d);
	return found;
}

static bool mount_on(const char *dev, const char *dir, const char *type,
		     unsigned long flags, const char *options)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_errno("unable to create %s", dir);
		return false;
	}
	if (mount(dev, dir, type, flags, options) < 0) {
		log_errno("unable to mount %s (%s) on %s", dev, type, dir);
		return false;
	}
	return true;
}

/* Copy one override file into /etc/tern: a temporary file, renamed. */
static bool copy_override(int from_dir, const char *name)
{
	char buf[8192], to[300], tmp[310];
	int in, out;
	ssize_t n = 0;
	off_t total = 0;

	in = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return false;
	snprintf(to, sizeof to, "/etc/tern/%s", name);
	snprintf(tmp, sizeof tmp, "%s.tmp", to);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return false;
	}
	while ((n = read(in, buf, sizeof buf)) > 0) {
		total += n;
		if (total > OVERRIDE_MAX) {
			errno = EFBIG;
			n = -1;
		} else if (write(out, buf, (size_t)n) != n) {
			n = -1;
		}
		if (n < 0)
			break;
	}
	close(in);
	if (n < 0 || close(out) < 0 || rename(tmp, to) < 0) {
		unlink(tmp);
		return false;
	}
	return true;
}

/* Files of /etc/tern that describe the image itself, not the site: a
 * site's copy is ignored.  release says which firmware runs (board,
 * version): fwupdate's rollback check trusts it. */
static bool image_owned(const char *name)
{
	return !strcmp(name, "release");
}

static void apply_overrides(void)
{
	int dfd = open(OVERRIDE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (errno != ENOENT)
			log_errno("unable to read %s", OVERRIDE_DIR);
		if (dfd >= 0)
			close(dfd);
		return;
	}
	mkdir("/etc/tern", 0755);
	while ((e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.' || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (image_owned(e->d_name))
			log_warn("%s/%s ignored: /etc/tern/%s describes the image, a site cannot "
				 "replace it", OVERRIDE_DIR, e->d_name, e->d_name);
		else if (copy_override(dfd, e->d_name))
			log_info("/etc/tern/%s from %s", e->d_name, OVERRIDE_DIR);
		else
			log_errno("unable to copy %s/%s to /etc/tern (kept the image's)",
				  OVERRIDE_DIR, e->d_name);
	}
	closedir(d);
}

/* The served tree: the data partition's DISK_SRV_UPPER over the image's
 * DISK_SRV_DIR, one overlay (see disk.h). */
static void mount_srv(void)
{
	if (access(DISK_SRV_DIR, F_OK) < 0)
		return; /* nothing is served */
	if ((mkdir(DISK_SRV_UPPER, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(DISK_SRV_WORK, 0700) < 0 && errno != EEXIST)) {
		log_errno("unable to create %s and %s: %s is the image's only", DISK_SRV_UPPER,
			  DISK_SRV_WORK, DISK_SRV_DIR);
		return;
	}
	if (mount("overlay", DISK_SRV_DIR, "overlay", MS_NOATIME | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "lowerdir=" DISK_SRV_DIR ",upperdir=" DISK_SRV_UPPER ",workdir=" DISK_SRV_WORK) < 0) {
		log_errno("unable to mount %s over the image's %s: %s is the image's only",
			  DISK_SRV_UPPER, DISK_SRV_DIR, DISK_SRV_DIR);
		return;
	}
	log_info("%s: %s over the image's files", DISK_SRV_DIR, DISK_SRV_UPPER);
}

static void mount_data(const char *parent)
{
	struct part data;

	if (!find_part(DISK_DATA_NAME, parent, &data)) {
		log_warn("no partition named %s%s%s: no site configuration, leases are not kept",
			 DISK_DATA_NAME, *parent ? " on " : "", parent);
		return;
	}
	if (!mount_on(data.dev, DISK_DATA_DIR, "ext4", MS_NOATIME | MS_NOSUID | MS_NODEV, NULL))
		return;
	log_info("%s: %s mounted", DISK_DATA_DIR, data.dev);
	grow_data(data.dev + strlen("/dev/"), data.parent, DISK_DATA_DIR);
	apply_overrides();
	if ((mkdir(DISK_DATA_DIR "/var", 0755) < 0 && errno != EEXIST) ||
	    (mkdir(DISK_DATA_DIR "/var/lib", 0755) < 0 && errno != EEXIST) ||
	    (mkdir("/var", 0755) < 0 && errno != EEXIST) ||
	    (mkdir("/var/lib", 0755) < 0 && errno != EEXIST) ||
	    mount(DISK_DATA_DIR "/var/lib", "/var/lib", NULL, MS_BIND, NULL) < 0)
		log_errno("unable to bind %s/var/lib on /var/lib", DISK_DATA_DIR);
	mount_srv();
}

/* The anti-rollback floor rises to this image's version once its slot is
 * good: marked so now, or found so at boot (the flashed slot; a power cut
 * between marking and raising).  See app/lib/fwfloor.h. */
static void raise_floor(void)
{
#ifdef CONFIG_FIRMWARE_VERSION
	struct fw_version v;
	int r;

	if (fw_version_parse(CONFIG_FIRMWARE_VERSION, &v))
		return;
	r = fwfloor_raise(esp_fd, &v);
	if (r < 0 && errno == EINVAL)
		log_err("anti-rollback floor %s/%s is not a version: not raised (fwupdate "
			"--lower-floor VERSION, on the console, writes it anew)", BOOTSLOT_ESP,
			FWFLOOR_FILE);
	else if (r < 0)
		log_errno("unable to raise the anti-rollback floor %s/%s to %s", BOOTSLOT_ESP,
			  FWFLOOR_FILE, CONFIG_FIRMWARE_VERSION);
	else if (r > 0)
		log_info("anti-rollback floor raised to %s", CONFIG_FIRMWARE_VERSION);
#endif
}

/* efivars: where systemd-boot's variables are (NULL: BOOTSLOT_EFIVARS). */
static void log_slot(const char *efivars)
{
	struct bootslot slots[BOOTSLOT_COUNT];
	const struct bootslot *s;
	int repaired = bootslot_repair(esp_fd);

	if (repaired < 0)
		log_errno("unable to repair the boot counters in %s/%s", BOOTSLOT_ESP, BOOTSLOT_DIR);
	else if (repaired > 0)
		log_warn("%d slot file(s) in %s/%s had a boot counter systemd-boot cannot count "
			 "down: renamed +0-1 (no tries left)", repaired, BOOTSLOT_ESP, BOOTSLOT_DIR);
	running = bootslot_running(esp_fd, efivars);
	if (running < 0 || bootslot_scan(esp_fd, slots) < 0 || !slots[running].present) {
		log_warn("no boot slot found in %s/%s", BOOTSLOT_ESP, BOOTSLOT_DIR);
		running = -1;
		return;
	}
	s = &slots[running];
	if (s->tries_left < 0) {
		log_info("slot %c booted (%s), good", bootslot_letter(running), s->name);
		raise_floor();
	} else
		log_info("slot %c booted (%s), trial boot %d of %d: marked good once the services "
			 "stay up %d s", bootslot_letter(running), s->name, s->tries_done,
			 s->tries_done + s->tries_left, CONFIG_BOOT_GOOD_DELAY);
}

void disk_mount(void)
{
	struct part esp;
	int64_t until = clock_ms_after(DISK_WAIT_S * 1000LL);
	bool found;

	if (access(EFI_DIR, F_OK) == 0 &&
	    mount("efivarfs", EFI_DIR "/efivars", "efivarfs",
		  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 && errno != EBUSY)
		log_errno("unable to mount efivarfs on %s/efivars", EFI_DIR);
	while (!(found = find_part(DISK_ESP_NAME, "", &esp)) && clock_ms() < until)
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	if (!found) {
		log_warn("no partition named %s after %d s: boot slots are not managed",
			 DISK_ESP_NAME, DISK_WAIT_S);
		mount_data("");
		return;
	}
	if (mount_on(esp.dev, BOOTSLOT_ESP, "vfat",
		     MS_NOATIME | MS_NOSUID | MS_NODEV | MS_NOEXEC, "umask=0077,errors=remount-ro")) {
		esp_fd = open(BOOTSLOT_ESP, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (esp_fd < 0)
			log_errno("unable to open %s", BOOTSLOT_ESP);
		else
			log_slot(NULL);
	}
	mount_data(esp.parent);
}

void disk_test_slots(void)
{
	char buf[PATH_MAX];

	esp_fd = root_open(BOOTSLOT_ESP, O_RDONLY | O_DIRECTORY);
	if (esp_fd >= 0)
		log_slot(root_path(BOOTSLOT_EFIVARS, buf, sizeof buf));
}

int64_t disk_good_wait(const struct supervisor *sv, int64_t now, int64_t ready_ms,
		       int64_t delay_ms)
{
	int64_t since = ready_ms;

	for (size_t i = 0; i < sv->n; i++) {
		const struct service *s = &sv->svc[i];
		if (s->spec.policy != SERVICE_RESPAWN || s->console || s->retiring)
			continue;
		if (s->pid <= 0)
			return 1000;
		if (s->started_ms > since)
			since = s->started_ms;
	}
	/* since is a clock_ms() reading, rounded down: the start may have
	 * been up to 1 ms later, so the slot is due 1 ms after it (never
	 * early; see app/lib/clock.h). */
	int64_t due = since + 1 + delay_ms;

	return due <= now ? 0 : due - now;
}

/* A trial boot on its way to "good". */
static struct {
	int64_t ready_ms;    /* clock_ms() at the ready line */
	bool checking;       /* the health check runs (or has just ended) */
	int64_t check_until; /* clock_ms(): killed if still running then */
	bool timed_out;      /* and it was */
} trial;

static void mark_good(void)
{
	if (bootslot_mark_good(esp_fd, running) < 0)
		log_errno("unable to mark slot %c good in %s/%s", bootslot_letter(running),
			  BOOTSLOT_ESP, BOOTSLOT_DIR);
	else {
		log_info("slot %c marked good: the services stayed up %d s%s",
			 bootslot_letter(running), CONFIG_BOOT_GOOD_DELAY,
			 trial.checking ? " and " HEALTH_FILE " passed" : "");
		raise_floor();
	}
}

/* A failed try: reboot, as a reboot signal would (the boot loader has
 * counted this boot already; it boots the other slot once the tries are
 * spent). */
static void fail_try(struct loop *l, const char *why)
{
	log_err("slot %c: health check %s %s: a failed try; rebooting", bootslot_letter(running),
		HEALTH_FILE, why);
	if (!l->stop_signo)
		l->stop_signo = SIGTERM;
}

/* Start the site's health check; false when there is none (or it could
 * not be started: then *why says so). */
static bool start_check(struct loop *l, const char **why)
{
	struct bootslot slots[BOOTSLOT_COUNT];
	char path[PATH_MAX], line[PATH_MAX + 128];
	const char *file = root_path(HEALTH_FILE, path, sizeof path);
	struct stat st;

	*why = NULL;
	if (!file || stat(file, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (bootslot_scan(esp_fd, slots) < 0 || !slots[running].present) {
		*why = "has no slot file to name";
		return false;
	}
	snprintf(line, sizeof line, HEALTH_SERVICE " once /bin/sh %s %c %s", file,
		 bootslot_letter(running), slots[running].name);
	if (!supervisor_run_line(l->sv, "slot health", line)) {
		*why = "could not be started";
		return false;
	}
	log_info("slot %c: running %s (%d s at most) before marking it good",
		 bootslot_letter(running), HEALTH_FILE, CONFIG_BOOT_HEALTH_TIMEOUT);
	trial.checking = true;
	trial.check_until = clock_ms_after(CONFIG_BOOT_HEALTH_TIMEOUT * 1000LL);
	return true;
}

/* The check has run: 0 when it passed, else why not in why[]. */
static bool check_passed(const struct service *s, char *why, size_t size)
{
	if (trial.timed_out)
		snprintf(why, size, "did not finish within %d s", CONFIG_BOOT_HEALTH_TIMEOUT);
	else if (WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0)
		return true;
	else if (WIFEXITED(s->status))
		snprintf(why, size, "exited with status %d", WEXITSTATUS(s->status));
	else
		snprintf(why, size, "was killed by signal %d", WTERMSIG(s->status));
	return false;
}

/* While the check runs: the milliseconds to wait, or 0 once it ended. */
static int64_t check_running(const struct service *s)
{
	int64_t now = clock_ms();

	if (s->pid <= 0 && !s->restart_ms)
		return 0;
	if (trial.timed_out)
		return -1; /* its SIGCHLD wakes the loop */
	if (now < trial.check_until)
		return trial.check_until - now;
	if (s->pid > 0) {
		kill(-s->pid, SIGKILL); /* its session: whatever it started too */
		kill(s->pid, SIGKILL);
	}
	trial.timed_out = true;
	return -1;
}

static int64_t good_step(struct loop *l, void *ctx)
{
	const struct service *s;
	const char *err;
	char why[80];
	int64_t wait;

	(void)ctx;
	if (l->stop_signo) {
		loop_remove(l, good_step);
		return -1;
	}
	if (!trial.checking) {
		wait = disk_good_wait(l->sv, clock_ms(), trial.ready_ms,
				      CONFIG_BOOT_GOOD_DELAY * 1000LL);
		if (wait)
			return wait;
		if (start_check(l, &err))
			return 0;
		loop_remove(l, good_step);
		if (err)
			fail_try(l, err);
		else
			mark_good();
		return -1;
	}
	if (!(s = supervisor_find(l->sv, HEALTH_SERVICE))) {
		loop_remove(l, good_step);
		fail_try(l, "vanished from the service table");
		return -1;
	}
	if ((wait = check_running(s)))
		return wait;
	loop_remove(l, good_step);
	if (check_passed(s, why, sizeof why))
		mark_good();
	else
		fail_try(l, why);
	return -1;
}

void disk_watch(struct loop *l, int64_t ready_ms)
{
	struct bootslot slots[BOOTSLOT_COUNT];

	if (running < 0 || bootslot_scan(esp_fd, slots) < 0 || slots[running].tries_left < 0)
		return;
	trial.ready_ms = ready_ms;
	loop_add(l, good_step, NULL);
}
