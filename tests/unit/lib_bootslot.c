/* SPDX-License-Identifier: MIT */
/* lib_bootslot -- the A/B slots on the ESP (app/lib/bootslot.c), on a
 * temporary directory standing in for the ESP. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootslot.h"

struct esp {
	char dir[64];  /* the ESP */
	char vars[80]; /* an efivarfs stand-in */
	int fd;
};

static void rm_tree(const char *path)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	struct esp *e = calloc(1, sizeof *e);
	strcpy(e->dir, "/tmp/bootslot-XXXXXX");
	if (!e || !mkdtemp(e->dir))
		return -1;
	snprintf(e->vars, sizeof e->vars, "%s-vars", e->dir);
	if (mkdir(e->vars, 0755) < 0)
		return -1;
	e->fd = open(e->dir, O_RDONLY | O_DIRECTORY);
	*state = e;
	return e->fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct esp *e = *state;
	close(e->fd);
	rm_tree(e->dir);
	rm_tree(e->vars);
	free(e);
	return 0;
}

/* The names in EFI/Linux, sorted, joined by spaces. */
static const char *listing(struct esp *e)
{
	static char out[512];
	char path[128];
	struct dirent **names;
	int n;

	snprintf(path, sizeof path, "%s/" BOOTSLOT_DIR, e->dir);
	out[0] = '\0';
	n = scandir(path, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
			if (out[0])
				strcat(out, " ");
			strcat(out, names[i]->d_name);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return out;
}

static void put(struct esp *e, const char *name, const char *content)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof path, "%s/EFI", e->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/" BOOTSLOT_DIR, e->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/" BOOTSLOT_DIR "/%s", e->dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static const char *content(struct esp *e, const char *name)
{
	static char buf[256];
	char path[160];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/" BOOTSLOT_DIR "/%s", e->dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* systemd-boot's rename before a counted boot: +L-D -> +(L-1)-(D+1). */
static void loader_boots(struct esp *e, int slot)
{
	struct bootslot s[BOOTSLOT_COUNT];
	char from[160], to[160];

	assert_int_equal(bootslot_scan(e->fd, s), 0);
	assert_true(s[slot].present);
	if (s[slot].tries_left < 0)
		return;
	assert_true(s[slot].tries_left > 0);
	snprintf(from, sizeof from, "%s/" BOOTSLOT_DIR "/%s", e->dir, s[slot].name);
	snprintf(to, sizeof to, "%s/" BOOTSLOT_DIR "/tern-%lu-%c+%d-%d.efi", e->dir,
		 s[slot].gen, slot ? 'b' : 'a', s[slot].tries_left - 1, s[slot].tries_done + 1);
	assert_int_equal(rename(from, to), 0);
}

static void set_entry_selected(struct esp *e, const char *id)
{
	char path[200];
	unsigned char buf[256] = { 7, 0, 0, 0 };
	size_t n = 4;
	FILE *f;

	for (const char *p = id; *p; p++) {
		buf[n++] = (unsigned char)*p;
		buf[n++] = 0;
	}
	buf[n++] = 0;
	buf[n++] = 0;
	snprintf(path, sizeof path,
		 "%s/LoaderEntrySelected-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f", e->vars);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(buf, 1, n, f);
	fclose(f);
}

static void names_parse(void **state)
{
	struct bootslot s;

	(void)state;
	assert_int_equal(bootslot_parse_name("tern-7-b.efi", &s), BOOTSLOT_B);
	assert_true(s.present);
	assert_int_equal(s.gen, 7);
	assert_int_equal(s.tries_left, -1);
	assert_int_equal(s.tries_done, -1);
	assert_int_equal(bootslot_parse_name("tern-12-a+3.efi", &s), BOOTSLOT_A);
	assert_int_equal(s.gen, 12);
	assert_int_equal(s.tries_left, 3);
	assert_int_equal(s.tries_done, 0);
	assert_int_equal(bootslot_parse_name("tern-12-a+0-3.efi", &s), BOOTSLOT_A);
	assert_int_equal(s.tries_left, 0);
	assert_int_equal(s.tries_done, 3);
	assert_string_equal(s.name, "tern-12-a+0-3.efi");
	/* As LoaderEntrySelected or a FAT listing may spell it. */
	assert_int_equal(bootslot_parse_name("TERN-3-B+2-1.EFI", &s), BOOTSLOT_B);
	assert_int_equal(s.tries_left, 2);
}

static void other_names_are_not_slots(void **state)
{
	static const char *bad[] = {
		"", "tern-.efi", "tern-1-.efi", "tern-1-c.efi", "tern-a-1.efi",
		"tern-1-a", "tern-1-a.efi.tmp", ".tern-a.tmp", "tern-1-ab.efi", "xtern-1-a.efi",
		"tern-1234567890-a.efi", "tern-1-a.efi ", "systemd-bootx64.efi", "tern-1-a+1.ef",
		"tern-1-a+x", "tern-1-a+",
	};
	char longname[100];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		assert_int_equal(bootslot_parse_name(bad[i], NULL), -1);
		assert_int_equal(errno, EINVAL);
	}
	memset(longname, '0', sizeof longname);
	memcpy(longname, "tern-1-a+", 9);
	strcpy(longname + 90, ".efi");
	assert_int_equal(bootslot_parse_name(longname, NULL), -1);
	assert_int_equal(bootslot_letter(BOOTSLOT_A), 'A');
	assert_int_equal(bootslot_letter(BOOTSLOT_B), 'B');
	assert_int_equal(bootslot_other(BOOTSLOT_A), BOOTSLOT_B);
}

/* A damaged counter: the slot's file, with no tries left, never good. */
static void garbage_counters_have_no_tries_left(void **state)
{
	static const char *garbage[] = {
		"tern-2-b+x.efi", "tern-2-b+.efi", "tern-2-b+1-.efi", "tern-2-b+12345.efi",
		"tern-2-b+1-2-3.efi", "tern-2-b+-1.efi", "TERN-2-B+3?.EFI",
	};
	struct bootslot s;

	(void)state;
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
		assert_int_equal(bootslot_parse_name(garbage[i], &s), BOOTSLOT_B);
		assert_int_equal(s.gen, 2);
		assert_int_equal(s.tries_left, 0);
		assert_true(s.bad_counter);
	}
	assert_int_equal(bootslot_parse_name("tern-2-b+3.efi", &s), BOOTSLOT_B);
	assert_false(s.bad_counter);
	assert_int_equal(bootslot_parse_name("tern-2-b.efi", &s), BOOTSLOT_B);
	assert_false(s.bad_counter);
}

/* bootslot_repair gives a damaged counter one systemd-boot reads: +0-1,
 * skipped by the loader; running, it is a trial init can mark good. */
static void repair_renames_garbage_counters(void **state)
{
	struct esp *e = *state;
	struct bootslot s[BOOTSLOT_COUNT];

	assert_int_equal(bootslot_repair(e->fd), 0); /* no EFI/Linux: nothing */
	put(e, "tern-1-a.efi", "a");
	put(e, "tern-2-b+x.efi", "b");
	put(e, "other+x.efi", "not ours");
	assert_int_equal(bootslot_repair(e->fd), 1);
	assert_string_equal(listing(e), "other+x.efi tern-1-a.efi tern-2-b+0-1.efi");
	assert_string_equal(content(e, "tern-2-b+0-1.efi"), "b");
	assert_int_equal(bootslot_repair(e->fd), 0);
	assert_int_equal(bootslot_scan(e->fd, s), 0);
	assert_int_equal(bootslot_next(s), BOOTSLOT_A);
	/* Booted under its damaged name (the variable keeps it). */
	set_entry_selected(e, "tern-2-b+x.efi");
	assert_int_equal(bootslot_running(e->fd, e->vars), BOOTSLOT_B);
	assert_int_equal(bootslot_mark_good(e->fd, BOOTSLOT_B), 0);
	assert_string_equal(listing(e), "other+x.efi tern-1-a.efi tern-2-b.efi");
}

static void an_empty_esp_has_no_slot(void **state)
{
	struct esp *e = *state;
	struct bootslot s[BOOTSLOT_COUNT];

	assert_int_equal(bootslot_scan(e->fd, s), 0);
	assert_false(s[0].present);
	assert_false(s[1].present);
	errno = 0;
	assert_int_equal(bootslot_next(s), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(bootslot_running(e->fd, e->vars), -1);
	errno = 0;
	assert_int_equal(bootslot_mark_good(e->fd, BOOTSLOT_A), -1);
	assert_int_equal(errno, ENOENT);
}

/* The whole life of two slots: flashed A, update to B, its trial boots,
 * marked good, the next update goes to A. */
static void updates_alternate_and_the_new_slot_boots_first(void **state)
{
	struct esp *e = *state;
	struct bootslot s[BOOTSLOT_COUNT];

	put(e, "tern-1-a.efi", "image one");
	put(e, "other.efi", "not ours");
	assert_int_equal(bootslot_running(e->fd, e->vars), BOOTSLOT_A);

	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_B, "image two", 9, 3), 0);
	assert_string_equal(listing(e), "other.efi tern-1-a.efi tern-2-b+3.efi");
	assert_string_equal(content(e, "tern-2-b+3.efi"), "image two");
	assert_string_equal(content(e, "tern-1-a.efi"), "image one");
	assert_int_equal(bootslot_scan(e->fd, s), 0);
	assert_int_equal(bootslot_next(s), BOOTSLOT_B);

	loader_boots(e, BOOTSLOT_B);
	set_entry_selected(e, "tern-2-b+3.efi");
	assert_int_equal(bootslot_running(e->fd, e->vars), BOOTSLOT_B);
	assert_int_equal(bootslot_mark_good(e->fd, BOOTSLOT_B), 0);
	assert_string_equal(listing(e), "other.efi tern-1-a.efi tern-2-b.efi");
	/* Good already: left alone. */
	assert_int_equal(bootslot_mark_good(e->fd, BOOTSLOT_B), 0);
	assert_string_equal(listing(e), "other.efi tern-1-a.efi tern-2-b.efi");

	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_A, "image three", 11, 2), 0);
	assert_string_equal(listing(e), "other.efi tern-2-b.efi tern-3-a+2.efi");
	assert_string_equal(content(e, "tern-3-a+2.efi"), "image three");
	assert_string_equal(content(e, "tern-2-b.efi"), "image two");
	assert_int_equal(bootslot_scan(e->fd, s), 0);
	assert_int_equal(bootslot_next(s), BOOTSLOT_A);
	assert_int_equal(s[BOOTSLOT_A].tries_left, 2);
	assert_string_equal(content(e, "other.efi"), "not ours");
}

/* A slot whose tries run out sorts last: the old slot boots again and
 * is the running one; the failed slot is the one the next update takes. */
static void a_slot_out_of_tries_falls_back(void **state)
{
	struct esp *e = *state;
	struct bootslot s[BOOTSLOT_COUNT];

	put(e, "tern-4-a.efi", "good");
	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_B, "bad", 3, 2), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(bootslot_scan(e->fd, s), 0);
		assert_int_equal(bootslot_next(s), BOOTSLOT_B);
		loader_boots(e, BOOTSLOT_B);
	}
	assert_string_equal(listing(e), "tern-4-a.efi tern-5-b+0-2.efi");
	assert_int_equal(bootslot_scan(e->fd, s), 0);
	assert_int_equal(bootslot_next(s), BOOTSLOT_A);
	set_entry_selected(e, "tern-4-a.efi");
	assert_int_equal(bootslot_running(e->fd, e->vars), BOOTSLOT_A);
	/* Without the variable: what the loader would boot. */
	rm_tree(e->vars);
	assert_int_equal(bootslot_running(e->fd, e->vars), BOOTSLOT_A);
	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_B, "fixed", 5, 3), 0);
	assert_string_equal(listing(e), "tern-4-a.efi tern-6-b+3.efi");
}

static void a_bad_variable_falls_back_to_the_esp(void **state)
{
	struct esp *e = *state;

	put(e, "tern-4-a.efi", "x");
	put(e, "tern-3-b.efi", "y");
	set_entry_selected(e, "systemd-bootx64.efi");
	assert_int_equal(bootslot_running(e->fd, e->vars), BOOTSLOT_A);
	set_entry_selected(e, "tern-3-b.efi");
	assert_int_equal(bootslot_running(e->fd, e->vars), BOOTSLOT_B);
	set_entry_selected(e, "");
	assert_int_equal(bootslot_running(e->fd, e->vars), BOOTSLOT_A);
}

/* A power cut after the rename, before the old file was removed: the
 * higher generation counts, the next install cleans up.  A temporary
 * file left by a cut during the write is ignored and replaced. */
static void leftovers_of_a_power_cut(void **state)
{
	struct esp *e = *state;
	struct bootslot s[BOOTSLOT_COUNT];

	put(e, "tern-1-a.efi", "old a");
	put(e, "tern-2-b.efi", "b");
	put(e, "tern-3-a+3.efi", "new a");
	put(e, ".tern-b.tmp", "half a write");
	assert_int_equal(bootslot_scan(e->fd, s), 0);
	assert_int_equal(s[BOOTSLOT_A].gen, 3);
	assert_string_equal(s[BOOTSLOT_A].name, "tern-3-a+3.efi");
	assert_int_equal(bootslot_next(s), BOOTSLOT_A);
	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_B, "new b", 5, 1), 0);
	assert_string_equal(listing(e), "tern-1-a.efi tern-3-a+3.efi tern-4-b+1.efi");
	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_A, "newer a", 7, 1), 0);
	assert_string_equal(listing(e), "tern-4-b+1.efi tern-5-a+1.efi");
}

static void bad_arguments_change_nothing(void **state)
{
	struct esp *e = *state;

	put(e, "tern-1-a.efi", "a");
	errno = 0;
	assert_int_equal(bootslot_install(e->fd, 2, "x", 1, 3), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(bootslot_install(e->fd, -1, "x", 1, 3), -1);
	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_B, "x", 0, 3), -1);
	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_B, NULL, 1, 3), -1);
	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_B, "x", 1, 0), -1);
	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_B, "x", 1, 10), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(bootslot_mark_good(e->fd, 5), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(listing(e), "tern-1-a.efi");
}

/* A write that fails half way (here: the file size limit) leaves no file
 * and the slots as they were. */
static void a_failed_write_leaves_the_slots_alone(void **state)
{
	struct esp *e = *state;
	static char big[65536];
	struct rlimit old, lim = { 4096, RLIM_INFINITY };

	put(e, "tern-1-a.efi", "a");
	put(e, "tern-2-b+0-3.efi", "b");
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	errno = 0;
	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_B, big, sizeof big, 3), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_string_equal(listing(e), "tern-1-a.efi tern-2-b+0-3.efi");
	assert_string_equal(content(e, "tern-2-b+0-3.efi"), "b");
}

/* Install into B with TERN_FAULT=point in a child; returns once the child
 * said it stopped there (its stderr line), the child still stopped. */
static pid_t install_until(struct esp *e, const char *point)
{
	char line[160] = "", want[160];
	size_t n = 0;
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		setenv("TERN_FAULT", point, 1);
		_exit(bootslot_install(e->fd, BOOTSLOT_B, "image two", 9, 3) == 0 ? 0 : 1);
	}
	close(fds[1]);
	while (n + 1 < sizeof line && read(fds[0], line + n, 1) == 1 && line[n] != '\n')
		n++;
	line[n] = '\0';
	close(fds[0]);
	snprintf(want, sizeof want, "bootslot: fault point %s reached: stopped (TERN_FAULT)", point);
	assert_string_equal(line, want);
	return pid;
}

static void stop(pid_t pid)
{
	int status;

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
}

/* Each fault point stops the install in the state bootslot.h names, and
 * an install after the cut finishes the job. */
static void fault_points_stop_in_their_state(void **state)
{
	struct esp *e = *state;
	pid_t pid;

	put(e, "tern-1-a.efi", "image one");
	put(e, "tern-0-b+0-3.efi", "old b");
	pid = install_until(e, BOOTSLOT_FAULT_WRITTEN);
	assert_string_equal(listing(e), ".tern-b.tmp tern-0-b+0-3.efi tern-1-a.efi");
	assert_string_equal(content(e, ".tern-b.tmp"), "image two");
	stop(pid);
	pid = install_until(e, BOOTSLOT_FAULT_RENAMED);
	assert_string_equal(listing(e), "tern-0-b+0-3.efi tern-1-a.efi tern-2-b+3.efi");
	stop(pid);
	pid = install_until(e, BOOTSLOT_FAULT_COMMITTED);
	assert_string_equal(listing(e), "tern-0-b+0-3.efi tern-1-a.efi tern-2-b+3.efi tern-3-b+3.efi");
	assert_string_equal(content(e, "tern-3-b+3.efi"), "image two");
	stop(pid);
	/* Another point's name, or none: no stop. */
	setenv("TERN_FAULT", "slot-elsewhere", 1);
	assert_int_equal(bootslot_install(e->fd, BOOTSLOT_B, "image four", 10, 3), 0);
	unsetenv("TERN_FAULT");
	assert_string_equal(listing(e), "tern-1-a.efi tern-4-b+3.efi");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_parse),
		cmocka_unit_test(other_names_are_not_slots),
		cmocka_unit_test(garbage_counters_have_no_tries_left),
		cmocka_unit_test_setup_teardown(repair_renames_garbage_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(an_empty_esp_has_no_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(updates_alternate_and_the_new_slot_boots_first, setup, teardown),
		cmocka_unit_test_setup_teardown(a_slot_out_of_tries_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(a_bad_variable_falls_back_to_the_esp, setup, teardown),
		cmocka_unit_test_setup_teardown(leftovers_of_a_power_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_arguments_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(a_failed_write_leaves_the_slots_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(fault_points_stop_in_their_state, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
