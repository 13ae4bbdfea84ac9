/*
 * sqldb_int.h — what sqldb.c and its two back ends share: the table of
 * operations each back end fills, and the heads of their handles.
 */
#ifndef ZPUB_SQLDB_INT_H
#define ZPUB_SQLDB_INT_H

#include "sqldb.h"

/* One bound value, as the back ends receive it. */
struct sdb_val {
	int type;		/* SDB_INTEGER, SDB_FLOAT, SDB_TEXT, SDB_BLOB, SDB_NULL */
	int64_t i;
	double d;
	const void *p;		/* text or blob, copied by the back end */
	size_t n;
};

struct sdb_ops {
	void	(*close)(struct sdb *);
	int	(*prepare)(struct sdb *, const char *, struct sdb_stmt **);
	int	(*step)(struct sdb_stmt *);
	void	(*reset)(struct sdb_stmt *);
	void	(*finalize)(struct sdb_stmt *);
	void	(*bind)(struct sdb_stmt *, int, const struct sdb_val *);
	int	(*col_type)(struct sdb_stmt *, int);
	int64_t	(*col_int64)(struct sdb_stmt *, int);
	double	(*col_double)(struct sdb_stmt *, int);
	const unsigned char *(*col_text)(struct sdb_stmt *, int);
	const void *(*col_blob)(struct sdb_stmt *, int);
	int	(*col_bytes)(struct sdb_stmt *, int);
	int	(*col_count)(struct sdb_stmt *);
	const char *(*col_name)(struct sdb_stmt *, int);
	int	(*exec)(struct sdb *, const char *);
	int	(*changes)(struct sdb *);
	int	(*in_tx)(struct sdb *);
	enum sdb_errclass (*errclass)(struct sdb *);
	const char *(*errmsg)(struct sdb *);
	int64_t	(*data_version)(struct sdb *);
};

/* The head of every back end's connection and statement. */
struct sdb {
	enum sdb_kind kind;
	const struct sdb_ops *ops;
	char *name;
};

struct sdb_stmt {
	struct sdb *db;
};

int	sdb_lite_open(const char *path, struct sdb **out, char **why);
int	sdb_pg_open(const char *url, struct sdb **out, char **why);
void	*sdb_lite_handle(struct sdb *db);

#endif
