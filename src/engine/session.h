/*
 * session.h — where zpub keeps its files and what a front opens from them:
 * the folders, the config, the tenant, the store and the vault.  main()
 * sets one up for a command, the terminal app or the daemon alike.
 */
#ifndef ZPUB_SESSION_H
#define ZPUB_SESSION_H

#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct store;
struct vault;

struct session {
	char *data_dir;        /* where media and published files live: storage.root, else state_dir */
	char *state_dir;       /* this host's folder: log, pid file, the SQLite database */
	char *config_dir;      /* user config folder (config.json, vault.key) */
	char *config_path;
	char *db_path;         /* the SQLite file, or a PostgreSQL URL (--database, ZPUB_DATABASE_URL, store.url) */
	char *key_path;
	cJSON *config;         /* defaults <- user file */
	const char *tenant;    /* --tenant, else config "tenant" */
	/* No --tenant: the operator (the local user who owns the data folder,
	 * working in the tenant of its own config); with --tenant a tenant's
	 * editor.  Only the operator may pass --ignore-quota. */
	int operator;
	int64_t tenant_id;
	struct store *store;   /* session_store() */
	struct vault *vault;   /* session_vault() */
	char owner[160];       /* lease owner: "cli@host:pid" */
	int progress_tty;      /* stderr is a terminal: draw progress bars */
	const char *cmd_name;  /* the command running, for its usage line */
};

/* Resolves folders (--data-dir > ZPUB_HOME > XDG), creates them 0700, loads
 * the config and opens the log.  Prints its own error and returns -1. */
int session_setup(struct session *ses, const char *data_dir, const char *tenant, int verbose);
void session_teardown(struct session *ses);
/* Opens the store (and finds the tenant) on first use. */
int session_store(struct session *ses, struct zpub_err *err);
/* Opens the vault (and the store) on first use. */
int session_vault(struct session *ses, struct zpub_err *err);

#endif
