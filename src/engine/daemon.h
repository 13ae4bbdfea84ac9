/*
 * daemon.h — `zpub --daemon`: the engine headless on a server.
 *
 * One libuv loop owns the daemon's state.  A timer ticks (daemon.tick_ms):
 * it starts due jobs (job.h), retries FAILED recordings whose next_retry_at
 * has come, and hands the next stage of every recording that has one to a
 * bounded pool of workers (uv_queue_work; each work item opens its own store
 * handle and runs exactly one stage under a lease).  Concurrency is bounded
 * overall (daemon.workers) and per tenant (daemon.per_tenant and the
 * tenant's quota_concurrent); storage and monthly-minutes quotas hold a
 * tenant's work back with the reason in the recording's detail.
 *
 * SIGTERM/SIGINT: no new work; running stages are asked to stop (their
 * leases go back) and the daemon exits within daemon.stop_timeout_ms.
 * SIGHUP: the config file is read again.  A lock file (flock) keeps a second
 * daemon off the same data folder; a restart after a crash resumes every
 * interrupted stage through the leases.
 */
#ifndef ZPUB_DAEMON_H
#define ZPUB_DAEMON_H

struct session;

struct daemon_opts {
	int foreground;           /* stay attached, log to stderr too */
	const char *listen;       /* "127.0.0.1:PORT" for the control API, or NULL */
};

/* Runs until a signal stops it; returns the process exit code. */
int daemon_main(struct session *ses, const struct daemon_opts *o);

#endif
