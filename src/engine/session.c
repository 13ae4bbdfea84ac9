/*
 * session.c — where zpub keeps its files, and opening them for a front:
 * folders, config, log, then the store and the vault on first use.
 */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "audit.h"
#include "config.h"
#include "ingest.h"
#include "log.h"
#include "store.h"
#include "store_quota.h"
#include "util.h"
#include "vault.h"

/* FFmpeg's own chatter goes to our log, not to the user's terminal: the
 * stage reports what matters as errors with sentences. */
static void
av_to_log(void *avcl, int level, const char *fmt, va_list vl)
{
	char line[1024];
	int prefix = 1;
	if (level > av_log_get_level())
		return;
	av_log_format_line(avcl, level, fmt, vl, line, sizeof line, &prefix);
	size_t n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n > 0)
		zlog(level <= AV_LOG_ERROR ? LOG_WARN : LOG_DEBUG, "ffmpeg: %s", line);
}

/* Where the database and the media are: --database / ZPUB_DATABASE_URL /
 * store.url, else SQLite in the state folder; storage.root, else the state
 * folder.  A password belongs in the environment (or ~/.pgpass), never in
 * config.json, which is not a secret. */
static int
session_places(struct session *ses, struct zpub_err *err)
{
	const char *env = getenv("ZPUB_DATABASE_URL");
	const char *url = config_str(ses->config, "store.url", "");
	const char *root = config_str(ses->config, "storage.root", "");
	if (url && *url && store_target_has_password(url))
		return zpub_err_set(err, ZPUB_EINVAL, "store.url in %s carries a password; put the"
		    " URL with its password in ZPUB_DATABASE_URL (an environment file only zpub"
		    " reads) or the password in ~/.pgpass, and leave it out of config.json",
		    ses->config_path);
	if (env && *env)
		ses->db_path = xstrdup(env);
	else if (url && *url)
		ses->db_path = xstrdup(url);
	else
		ses->db_path = path_join(ses->state_dir, "zpub.db");
	if (root && *root) {
		if (root[0] != '/')
			return zpub_err_set(err, ZPUB_EINVAL, "storage.root must be an absolute"
			    " path (the same on every host), not '%s'", root);
		if (fs_mkdir_p(root, 0700, err) != 0)
			return zpub_err_prefix(err, "storage.root");
		ses->data_dir = xstrdup(root);
	} else
		ses->data_dir = xstrdup(ses->state_dir);
	return 0;
}

int
session_setup(struct session *ses, const char *data_dir, const char *tenant, int verbose)
{
	struct zpub_err err;
	const char *home = getenv("HOME");
	const char *zh = getenv("ZPUB_HOME");

	memset(ses, 0, sizeof *ses);
	if (data_dir == NULL && zh && *zh)
		data_dir = zh;
	if (data_dir) {
		/* One folder holds everything: what the tests and portable installs want. */
		ses->state_dir = xstrdup(data_dir);
		ses->config_dir = xstrdup(data_dir);
	} else {
		const char *xd = getenv("XDG_DATA_HOME"), *xc = getenv("XDG_CONFIG_HOME");
		if ((xd == NULL || !*xd || xc == NULL || !*xc) && (home == NULL || !*home)) {
			fprintf(stderr, "zpub: HOME is not set; use --data-dir DIR or ZPUB_HOME\n");
			return -1;
		}
		ses->state_dir = xd && *xd ? xasprintf("%s/zpub", xd) :
		    xasprintf("%s/.local/share/zpub", home);
		ses->config_dir = xc && *xc ? xasprintf("%s/zpub", xc) :
		    xasprintf("%s/.config/zpub", home);
	}
	if (fs_mkdir_p(ses->state_dir, 0700, &err) || fs_mkdir_p(ses->config_dir, 0700, &err)) {
		fprintf(stderr, "zpub: %s\n", term_safe(err.msg));
		return -1;
	}
	chmod(ses->state_dir, 0700);
	ses->config_path = path_join(ses->config_dir, "config.json");
	ses->key_path = path_join(ses->config_dir, "vault.key");
	if (config_load(ses->config_path, &ses->config, &err) != 0) {
		fprintf(stderr, "zpub: %s\n", term_safe(err.msg));
		return -1;
	}
	if (session_places(ses, &err) != 0) {
		fprintf(stderr, "zpub: %s\n", term_safe(err.msg));
		return -1;
	}
	ses->tenant = tenant ? tenant : config_str(ses->config, "tenant", "default");
	ses->operator = tenant == NULL;
	char *log_path = path_join(ses->state_dir, "zpub.log");
	log_open(log_path);
	free(log_path);
	if (verbose) {
		log_set_stderr(1);
		log_set_level(LOG_DEBUG);
	}
	av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_WARNING);
	av_log_set_callback(av_to_log);
	char host[128];
	host_id(host, sizeof host);
	snprintf(ses->owner, sizeof ses->owner, "cli@%s:%d", host, (int)getpid());
	ses->progress_tty = isatty(STDERR_FILENO);
	srandom((unsigned)(getpid() ^ time_now_ms()));
	return 0;
}

void
session_teardown(struct session *ses)
{
	vault_close(ses->vault);
	store_close(ses->store);
	cJSON_Delete(ses->config);
	free(ses->data_dir);
	free(ses->state_dir);
	free(ses->config_dir);
	free(ses->config_path);
	free(ses->db_path);
	free(ses->key_path);
	log_close();
}

int
session_store(struct session *ses, struct zpub_err *err)
{
	if (ses->store)
		return 0;
	int rc = store_open(ses->db_path, ses->data_dir, &ses->store, err);
	if (rc)
		return rc;
	if ((rc = store_tenant_id(ses->store, ses->tenant, &ses->tenant_id, err)) != 0)
		return rc;
	/* The work this process starts is metered for its face (audit.h). */
	struct actor who;
	actor_local(&who, ACTOR_CLI, ses->tenant_id);
	store_set_face(ses->store, actor_kind_name(who.kind));
	/* Every start clears what a crashed import left behind. */
	return ingest_sweep(ses->store, ses->tenant, err);
}

int
session_vault(struct session *ses, struct zpub_err *err)
{
	if (ses->vault)
		return 0;
	int rc = session_store(ses, err);
	if (rc)
		return rc;
	return vault_open(ses->store, ses->key_path, &ses->vault, err);
}
