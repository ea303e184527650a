/* SPDX-License-Identifier: MIT */
/* lib_path -- the filename policy (app/lib/path.c) and opening beneath
 * the root (path_open.c): every traversal variant refused by the policy,
 * and, in a temporary tree, every escape refused by the kernel even when
 * the policy is bypassed, while links that stay inside work. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"

static struct path_policy pol;
static char out[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	memset(&pol, 0, sizeof pol);
	return 0;
}

static enum path_cause check(const char *name)
{
	memset(out, 'x', sizeof out);
	return path_check(&pol, name, strlen(name), out, sizeof out);
}

static void assert_path(const char *name, const char *rel)
{
	assert_int_equal(check(name), PATH_OK);
	assert_string_equal(out, rel);
}

static void plain_names(void **state)
{
	(void)state;
	assert_path("pxelinux.0", "pxelinux.0");
	assert_path("boot/grub/x86_64-efi/core.efi", "boot/grub/x86_64-efi/core.efi");
	assert_path("a/./b", "a/./b");
	assert_path("a//b/", "a//b/");
	assert_path("caf\xc3\xa9 menu.cfg", "caf\xc3\xa9 menu.cfg");
	assert_path("a\\b", "a\\b"); /* one name with a backslash in it */
}

static void leading_slashes_are_dropped(void **state)
{
	(void)state;
	assert_path("/pxelinux.0", "pxelinux.0");
	assert_path("///boot/vmlinuz", "boot/vmlinuz");
	assert_int_equal(check("/"), PATH_EMPTY);
	assert_int_equal(check("//"), PATH_EMPTY);
	assert_int_equal(check(""), PATH_EMPTY);
}

static void absolute_names_refused_when_asked(void **state)
{
	(void)state;
	pol.refuse_absolute = true;
	assert_int_equal(check("/pxelinux.0"), PATH_ABSOLUTE);
	assert_int_equal(check("/"), PATH_ABSOLUTE);
	assert_path("pxelinux.0", "pxelinux.0");
	pol.backslash_to_slash = true;
	assert_int_equal(check("\\boot.wim"), PATH_ABSOLUTE);
}

/* The forms ".." takes in the traversal CVEs of TFTP servers: each one that
 * is a ".." component is refused, wherever it stands. */
static void traversal_variants(void **state)
{
	static const char *const refused[] = {
		"..", "../etc/passwd", "a/..", "a/../b", "/../etc/passwd", "/..",
		"a/b/../../..", "//..//x", "./../x", "a/./../../x",
	};

	(void)state;
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		assert_int_equal(check(refused[i]), PATH_DOTDOT);
	pol.backslash_to_slash = true;
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		assert_int_equal(check(refused[i]), PATH_DOTDOT);
}

/* "...", "..a", "a..": not ".." to the kernel, so names like any other,
 * and files inside the root. */
static void dots_that_are_names(void **state)
{
	(void)state;
	assert_path("...", "...");
	assert_path("..a", "..a");
	assert_path("a..", "a..");
	assert_path(".hidden", ".hidden");
	assert_path("a/.../b", "a/.../b");
	assert_path("/.../x", ".../x");
	assert_path("..../etc", "..../etc");
	assert_path(". ./x", ". ./x");
}

/* "..\" is a traversal only where '\' separates: on Linux it is a name's
 * last byte (and path_open keeps it inside the root anyway); with
 * backslashes becoming slashes it is "../" and refused. */
static void backslash_dotdot(void **state)
{
	(void)state;
	assert_path("..\\etc\\passwd", "..\\etc\\passwd");
	assert_path("\\..\\x", "\\..\\x");
	pol.backslash_to_slash = true;
	assert_int_equal(check("..\\etc\\passwd"), PATH_DOTDOT);
	assert_int_equal(check("\\..\\x"), PATH_DOTDOT);
	assert_int_equal(check("a\\..\\..\\x"), PATH_DOTDOT);
	assert_int_equal(check("a/..\\x"), PATH_DOTDOT);
	assert_int_equal(check("..\\"), PATH_DOTDOT);
	assert_path("Boot\\BCD", "Boot/BCD");
	assert_path("\\Boot\\BCD", "Boot/BCD");
	assert_path("...\\x", ".../x");
}

static void control_characters(void **state)
{
	static const char *const refused[] = {
		"\x01", "a\tb", "a\nb", "a\rb", "x\x1f", "\x7f", "\x1b[2J",
	};

	(void)state;
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		assert_int_equal(check(refused[i]), PATH_CONTROL_CHAR);
	/* a NUL inside the length: never from a packet, refused all the same */
	assert_int_equal(path_check(&pol, "a\0b", 3, out, sizeof out), PATH_CONTROL_CHAR);
}

static void length_limits(void **state)
{
	char *name = malloc(PATH_MAX + 1);

	(void)state;
	memset(name, 'n', PATH_MAX);
	name[PATH_MAX - 1] = '\0';
	assert_int_equal(check(name), PATH_OK); /* PATH_MAX - 1 bytes */
	name[PATH_MAX - 1] = 'n';
	name[PATH_MAX] = '\0';
	assert_int_equal(check(name), PATH_TOO_LONG);
	pol.max_len = 10;
	assert_path("0123456789", "0123456789");
	assert_int_equal(check("0123456789a"), PATH_TOO_LONG);
	/* out too small for the name */
	assert_int_equal(path_check(&pol, "abcd", 4, out, 4), PATH_TOO_LONG);
	assert_int_equal(path_check(&pol, "abcd", 4, out, 5), PATH_OK);
	free(name);
}

/* dnsmasq before 2.50 (CVE-2009-2957), atftpd 0.6 and others overflowed a
 * buffer with a long filename.  A name over the limit is refused before a
 * byte is copied; out is never written past size. */
static void long_filename_is_refused_before_any_copy(void **state)
{
	size_t len = 65468; /* the longest TFTP packet, and well over PATH_MAX */
	char *name = malloc(len);
	char small[16];

	(void)state;
	memset(name, 'A', len);
	memset(small, 'x', sizeof small);
	assert_int_equal(path_check(&pol, name, len, small, sizeof small), PATH_TOO_LONG);
	assert_int_equal(small[0], 'x');
	assert_int_equal(path_check(&pol, name, len, out, sizeof out), PATH_TOO_LONG);
	free(name);
}

static void cause_messages(void **state)
{
	(void)state;
	for (int c = PATH_OK + 1; c < PATH_CAUSE_COUNT; c++)
		assert_true(strlen(path_cause_message(c)) > 5);
	assert_string_equal(path_cause_message(PATH_DOTDOT), "'..' in filename");
}

/* The tree path_open is tried on (made once for the whole group):
 *
 *   top/outside/secret
 *   top/root/file, sub/inner, sub/up -> ../file, inner -> sub/inner,
 *            subdir -> sub, out -> ../outside/secret, sub/deep -> ../../outside,
 *            abs -> /etc/passwd, abs_in -> <top>/root/file, dir/, fifo
 */
static char top[64];
static int root_fd = -1;

static void make(const char *rel, const char *content)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", top, rel);
	assert_non_null(f = fopen(p, "w"));
	fputs(content, f);
	fclose(f);
}

static void link_to(const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof p, "%s/%s", top, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int tree_setup(void **state)
{
	char p[256];

	(void)state;
	strcpy(top, "/tmp/lib_path.XXXXXX");
	assert_non_null(mkdtemp(top));
	for (size_t i = 0; i < 4; i++) {
		static const char *const dirs[] = { "root", "root/sub", "root/dir", "outside" };
		snprintf(p, sizeof p, "%s/%s", top, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	snprintf(p, sizeof p, "%s/root/fifo", top);
	assert_int_equal(mkfifo(p, 0644), 0);
	make("outside/secret", "secret\n");
	make("root/file", "file\n");
	make("root/sub/inner", "inner\n");
	link_to("../file", "root/sub/up");
	link_to("sub/inner", "root/inner");
	link_to("sub", "root/subdir");
	link_to("../outside/secret", "root/out");
	link_to("../../outside", "root/sub/deep");
	link_to("/etc/passwd", "root/abs");
	snprintf(p, sizeof p, "%s/root/file", top);
	link_to(p, "root/abs_in");
	snprintf(p, sizeof p, "%s/root", top);
	root_fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(root_fd >= 0);
	return 0;
}

static int tree_teardown(void **state)
{
	char cmd[128];

	(void)state;
	close(root_fd);
	snprintf(cmd, sizeof cmd, "rm -rf %s", top);
	return system(cmd);
}

static void assert_reads(const char *rel, const char *content)
{
	char buf[64] = "";
	int fd = path_open(root_fd, rel, O_RDONLY);

	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof buf - 1) > 0);
	assert_string_equal(buf, content);
	close(fd);
}

static void assert_open_fails(const char *rel, int flags, int err)
{
	errno = 0;
	assert_int_equal(path_open(root_fd, rel, flags), -1);
	assert_int_equal(errno, err);
}

static void files_and_links_inside_are_served(void **state)
{
	(void)state;
	assert_reads("file", "file\n");
	assert_reads("sub/inner", "inner\n");
	assert_reads("inner", "inner\n");      /* relative link, inside */
	assert_reads("subdir/inner", "inner\n"); /* link to a directory */
	assert_reads("sub/up", "file\n");      /* ".." in a link, staying inside */
	assert_reads("./sub//inner", "inner\n");
}

static void escapes_are_refused_by_the_kernel(void **state)
{
	char p[256];

	(void)state;
	/* what path_check would refuse, tried anyway */
	assert_open_fails("../outside/secret", O_RDONLY, EXDEV);
	assert_open_fails("sub/../../outside/secret", O_RDONLY, EXDEV);
	assert_open_fails("/etc/passwd", O_RDONLY, EXDEV);
	/* what path_check lets through: links leading out */
	assert_open_fails("out", O_RDONLY, EXDEV);
	assert_open_fails("sub/deep/secret", O_RDONLY, EXDEV);
	assert_open_fails("abs", O_RDONLY, EXDEV);
	/* an absolute link is refused even when its target is inside */
	assert_open_fails("abs_in", O_RDONLY, EXDEV);
	/* nor can one be created through */
	assert_open_fails("sub/deep/new", O_WRONLY | O_CREAT | O_EXCL, EXDEV);
	snprintf(p, sizeof p, "%s/outside/new", top);
	assert_int_equal(access(p, F_OK), -1);
}

static void only_regular_files(void **state)
{
	(void)state;
	assert_open_fails("dir", O_RDONLY, EISDIR);
	assert_open_fails("subdir", O_RDONLY, EISDIR);
	assert_open_fails("fifo", O_RDONLY, EACCES); /* and did not wait for a writer */
	assert_open_fails("missing", O_RDONLY, ENOENT);
	assert_open_fails("file/x", O_RDONLY, ENOTDIR);
}

static void descriptor_flags_and_creation(void **state)
{
	struct stat st;
	char p[256];
	int fd = path_open(root_fd, "file", O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
	fd = path_open(root_fd, "sub/new", O_WRONLY | O_CREAT | O_EXCL);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 0600, 0600);
	assert_int_equal(st.st_mode & 0133, 0);
	close(fd);
	snprintf(p, sizeof p, "%s/root/sub/new", top);
	assert_int_equal(access(p, F_OK), 0);
	assert_open_fails("sub/new", O_WRONLY | O_CREAT | O_EXCL, EEXIST);
}

/* path_open_stat: the same answers, and the opened file's stat. */
static void open_with_its_stat(void **state)
{
	struct stat st, want;
	char p[256];
	int fd;

	(void)state;
	memset(&st, 0, sizeof st);
	fd = path_open_stat(root_fd, "inner", O_RDONLY, &st);
	assert_true(fd >= 0);
	close(fd);
	snprintf(p, sizeof p, "%s/root/sub/inner", top);
	assert_int_equal(stat(p, &want), 0);
	assert_int_equal(st.st_ino, want.st_ino); /* the link's target's */
	assert_int_equal(st.st_size, 6);
	assert_true(S_ISREG(st.st_mode));
	errno = 0;
	assert_int_equal(path_open_stat(root_fd, "out", O_RDONLY, &st), -1);
	assert_int_equal(errno, EXDEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(plain_names, setup),
		cmocka_unit_test_setup(leading_slashes_are_dropped, setup),
		cmocka_unit_test_setup(absolute_names_refused_when_asked, setup),
		cmocka_unit_test_setup(traversal_variants, setup),
		cmocka_unit_test_setup(dots_that_are_names, setup),
		cmocka_unit_test_setup(backslash_dotdot, setup),
		cmocka_unit_test_setup(control_characters, setup),
		cmocka_unit_test_setup(length_limits, setup),
		cmocka_unit_test_setup(long_filename_is_refused_before_any_copy, setup),
		cmocka_unit_test_setup(cause_messages, setup),
		cmocka_unit_test(files_and_links_inside_are_served),
		cmocka_unit_test(escapes_are_refused_by_the_kernel),
		cmocka_unit_test(only_regular_files),
		cmocka_unit_test(descriptor_flags_and_creation),
		cmocka_unit_test(open_with_its_stat),
	};
	return cmocka_run_group_tests(tests, tree_setup, tree_teardown);
}
