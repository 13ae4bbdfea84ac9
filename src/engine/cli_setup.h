/*
 * cli_setup.h — where zpub keeps its files, and opening them for a front.
 */
#ifndef ZPUB_CLI_SETUP_H
#define ZPUB_CLI_SETUP_H

struct cli;

/* Resolves folders (--data-dir > ZPUB_HOME > XDG), creates them 0700, loads
 * the config and opens the log.  Prints its own error and returns -1. */
int cli_setup(struct cli *cli, const char *data_dir, const char *tenant, int verbose);
void cli_teardown(struct cli *cli);

#endif
