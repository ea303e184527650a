/* SPDX-License-Identifier: MIT */
/* sendpaths.c -- how the kernel moves a file's bytes into a TCP socket,
 * each way httpd could: the CPU seconds per GiB of the sending thread and
 * the MiB/s, over loopback to a reader thread that discards.
 *
 *   sendpaths MODE FILE ROUNDS
 *
 * MODE: mmap (send(2) from the file's MAP_SHARED mapping: httpd's way),
 * splice (file -> pipe of 1 MiB -> socket), sendfile, read (pread into a
 * 256 KiB buffer, then send: the copy through user space httpd avoids).
 * The file is sent ROUNDS times on one connection; keep it in the page
 * cache (cat FILE >/dev/null) so the disk is not what is measured.  Plain
 * blocking calls, one thread each side: the cost of the kernel path, not
 * of an event loop.  Not built by make:
 *
 *   gcc -O2 -o sendpaths tests/bench/sendpaths.c -lpthread
 *   for m in mmap splice read sendfile; do ./sendpaths $m FILE 16; done
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PIPE_SIZE (1 << 20)

static int listen_fd;
static long long received;

static void *reader(void *arg)
{
	static char buf[1 << 20];
	int c = accept(listen_fd, NULL, NULL);
	ssize_t r;

	(void)arg;
	while ((r = recv(c, buf, sizeof buf, 0)) > 0)
		received += r;
	close(c);
	return NULL;
}

static double thread_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void send_all(int s, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(s, p, n, 0);

		if (k <= 0) {
			perror("send");
			exit(1);
		}
		p += k;
		n -= (size_t)k;
	}
}

/* Bytes of f at done moved into s one way; how many. */
static size_t move(const char *mode, int s, int f, const char *map, int pipe_fd[2],
		   size_t done, size_t size)
{
	static char buf[1 << 18];
	ssize_t n;

	if (!strcmp(mode, "mmap")) {
		n = send(s, map + done, size - done, 0);
	} else if (!strcmp(mode, "sendfile")) {
		off_t off = (off_t)done;

		n = sendfile(s, f, &off, size - done);
	} else if (!strcmp(mode, "splice")) {
		loff_t off = (loff_t)done;

		n = splice(f, &off, pipe_fd[1], NULL, PIPE_SIZE, SPLICE_F_MOVE);
		for (ssize_t m = 0, k; m < n; m += k)
			if ((k = splice(pipe_fd[0], NULL, s, NULL, (size_t)(n - m), SPLICE_F_MOVE)) <= 0)
				n = -1;
	} else {
		n = pread(f, buf, sizeof buf, (off_t)done);
		if (n > 0)
			send_all(s, buf, (size_t)n);
	}
	if (n <= 0) {
		perror(mode);
		exit(1);
	}
	return (size_t)n;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	int f, s, pipe_fd[2];
	struct stat st;
	pthread_t th;
	char *map;
	double t0, c0, c1, secs;

	if (argc != 4 || (f = open(argv[2], O_RDONLY)) < 0 || fstat(f, &st) < 0 || !st.st_size) {
		fputs("usage: sendpaths mmap|splice|sendfile|read FILE ROUNDS\n", stderr);
		return 100;
	}
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(listen_fd, (struct sockaddr *)&a, sizeof a) || listen(listen_fd, 1) ||
	    getsockname(listen_fd, (struct sockaddr *)&a, &alen) || pipe(pipe_fd)) {
		perror("sendpaths");
		return 111;
	}
	fcntl(pipe_fd[0], F_SETPIPE_SZ, PIPE_SIZE);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, f, 0);
	pthread_create(&th, NULL, reader, NULL);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (map == MAP_FAILED || connect(s, (struct sockaddr *)&a, sizeof a)) {
		perror("sendpaths");
		return 111;
	}
	t0 = now();
	c0 = thread_cpu();
	for (int r = 0; r < atoi(argv[3]); r++)
		for (size_t done = 0; done < (size_t)st.st_size;)
			done += move(argv[1], s, f, map, pipe_fd, done, (size_t)st.st_size);
	c1 = thread_cpu();
	shutdown(s, SHUT_WR);
	pthread_join(th, NULL);
	secs = now() - t0;
	printf("%-8s %6.0f MiB/s  sender CPU %.3f s/GiB\n", argv[1],
	       (double)received / secs / (1 << 20), (c1 - c0) / ((double)received / (1 << 30)));
	return 0;
}
