/*
 * net_fake.h — starts one of the Python loopback fakes (tests/fakes/) for a
 * unit test and stops it again.  Header-only; included by test_net*.c.
 */
#ifndef ZPUB_TEST_NET_FAKE_H
#define ZPUB_TEST_NET_FAKE_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct net_fake {
	pid_t pid;
	int port;
	char base[64];        /* http://127.0.0.1:<port> */
	char port_file[512];
};

/* Starts tests/fakes/<script> with extra args (NULL-terminated); 0 or -1. */
static int
net_fake_start(struct net_fake *f, const char *script, const char *const *args)
{
	const char *src = getenv("ZPUB_SRC");
	char path[512];
	const char *argv[32];
	int n = 0;

	memset(f, 0, sizeof *f);
	if (src == NULL)
		src = ".";
	snprintf(path, sizeof path, "%s/tests/fakes/%s", src, script);
	snprintf(f->port_file, sizeof f->port_file, "/tmp/zpub-fake-%d-%ld.port",
	    (int)getpid(), (long)time(NULL) ^ (long)rand());
	unlink(f->port_file);
	argv[n++] = "python3";
	argv[n++] = path;
	argv[n++] = "--port-file";
	argv[n++] = f->port_file;
	for (const char *const *a = args; a && *a && n < 30; a++)
		argv[n++] = *a;
	argv[n] = NULL;
	f->pid = fork();
	if (f->pid < 0)
		return -1;
	if (f->pid == 0) {
		freopen("/dev/null", "w", stdout);
		execvp("python3", (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		FILE *fp = fopen(f->port_file, "r");
		if (fp) {
			int ok = fscanf(fp, "%d", &f->port) == 1;
			fclose(fp);
			if (ok) {
				snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", f->port);
				return 0;
			}
		}
		usleep(25000);
	}
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	return -1;
}

static void
net_fake_stop(struct net_fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
		f->pid = 0;
	}
	unlink(f->port_file);
}

#endif
