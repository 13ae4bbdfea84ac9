/*
 * store_copy.h — copying a SQLite store into an empty PostgreSQL one
 * (`zpub migrate --to URL`).
 */
#ifndef ZPUB_STORE_COPY_H
#define ZPUB_STORE_COPY_H

#include <stdint.h>

#include "err.h"

struct store;

/* Told after each table: its name and the rows copied. */
typedef void (*store_copy_progress_fn)(void *arg, const char *table, int64_t rows);

/* Copies every table of `from` (SQLite) into `to` (PostgreSQL, opened with
 * store_open so its schema is at the same version) with their ids, in one
 * transaction that commits only when each table has as many rows on both
 * sides.  Refuses a target that already holds recordings, accounts, jobs,
 * templates or anything else the migrations did not put there. */
int store_copy(struct store *from, struct store *to, store_copy_progress_fn progress,
    void *arg, struct zpub_err *err);

/* 0 when the copy's table list names exactly the tables of `from` (a
 * SQLite store), each after the tables it refers to; otherwise says which
 * table is missing, unknown or out of order. */
int store_copy_check_tables(struct store *from, struct zpub_err *err);


#endif
