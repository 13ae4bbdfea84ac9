# pg.sh — sourced by tests that need a PostgreSQL server: a throw-away
# cluster in a temporary folder (initdb, pg_ctl; no system service), a role
# `zpub` without superuser rights owning a database `zpub`, reached over TCP
# on 127.0.0.1 with a scram-sha-256 password; the superuser only over a unix
# socket inside the folder.  As root (CI) the server runs as `nobody`:
# PostgreSQL refuses to run as root.
#
#   pg_require          exit 77 (the test's SKIP_RETURN_CODE) without PostgreSQL
#   pg_start [K=V ...]  start; K=V lines are added to postgresql.conf; exports
#                       ZPUB_PG_URL, ZPUB_PG_ADMIN_URL, ZPUB_PG_DIR, ZPUB_PG_PORT
#   pg_stop             stop and delete the folder (twice is fine; trap it)
#   pg_restart          pg_ctl restart
#   pg_pause/pg_resume  stop, then start again on the same port and data
#   pg_newdb NAME       another empty database owned by zpub; prints its URL
#   pg_psql [ARGS]      psql as zpub (ON_ERROR_STOP); pg_admin_psql as superuser
#   pg_log              the server's log, for a failing test to show

# The newest server installed (Debian's layout), else pg_ctl's folder on
# PATH; ZPUB_PG_BIN chooses another.
PG_BIN=${ZPUB_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -n "$PG_BIN" ] || PG_BIN=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")

pg_have() {
	[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/postgres" ] &&
	    { [ -x "$PG_BIN/psql" ] || command -v psql >/dev/null; }
}

pg_require() {
	if ! pg_have; then
		echo "SKIP: no PostgreSQL server binaries (initdb, pg_ctl, postgres)" >&2
		exit 77
	fi
}

# pg__as CMD... — runs CMD as the cluster's owner: nobody when we are root.
# initdb and pg_ctl write to /dev/null; where nobody may not (a container
# with /dev/null mode 600), they get a private /dev/null of their own in a
# mount namespace, which the server keeps.
pg__as() {
	if [ "$(id -u)" != 0 ]; then
		(cd "$ZPUB_PG_DIR" && "$@")
		return
	fi
	local g
	g=$(id -g nobody)
	if [ -z "${PG__NULLFIX:-}" ]; then
		PG__NULLFIX=no
		setpriv --reuid=nobody --regid="$g" --clear-groups -- sh -c ': >/dev/null' \
		    2>/dev/null || PG__NULLFIX=yes
	fi
	if [ "$PG__NULLFIX" = yes ]; then
		[ -c "$ZPUB_PG_DIR/null" ] || mknod -m 666 "$ZPUB_PG_DIR/null" c 1 3
		(cd "$ZPUB_PG_DIR" && unshare --mount --propagation private sh -c \
		    'mount --bind "$0/null" /dev/null && exec "$@"' "$ZPUB_PG_DIR" \
		    setpriv --reuid=nobody --regid="$g" --clear-groups -- \
		    env HOME="$ZPUB_PG_DIR" "$@")
	else
		(cd "$ZPUB_PG_DIR" && setpriv --reuid=nobody --regid="$g" \
		    --clear-groups -- env HOME="$ZPUB_PG_DIR" "$@")
	fi
}

pg__psql() {
	if [ -x "$PG_BIN/psql" ]; then "$PG_BIN/psql" "$@"; else psql "$@"; fi
}

pg_psql() { pg__psql -X -q -v ON_ERROR_STOP=1 "$ZPUB_PG_URL" "$@"; }
pg_admin_psql() { pg__psql -X -q -v ON_ERROR_STOP=1 "$ZPUB_PG_ADMIN_URL" "$@"; }
pg_log() { cat "$ZPUB_PG_DIR/log" 2>/dev/null || true; }

pg__ctl() { pg__as "$PG_BIN/pg_ctl" -D "$ZPUB_PG_DIR/data" -l "$ZPUB_PG_DIR/log" "$@"; }

pg__free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

pg_start() {
	pg_require
	[ -z "${ZPUB_PG_DIR:-}" ] || { echo "pg_start: already started" >&2; return 1; }
	ZPUB_PG_DIR=$(mktemp -d /tmp/zpub-pg.XXXXXX)
	export ZPUB_PG_DIR
	chmod 700 "$ZPUB_PG_DIR"
	[ "$(id -u)" != 0 ] || chown nobody:"$(id -g nobody)" "$ZPUB_PG_DIR"
	if ! pg__as "$PG_BIN/initdb" -D "$ZPUB_PG_DIR/data" -U postgres --encoding=UTF8 \
	    --locale=C --auth-local=trust --auth-host=scram-sha-256 >"$ZPUB_PG_DIR/initdb.log" 2>&1; then
		cat "$ZPUB_PG_DIR/initdb.log" >&2
		echo "pg_start: initdb failed" >&2
		return 1
	fi
	# Only the superuser over the socket in the folder (mode 700), only
	# passwords over TCP.
	pg__as sh -c 'cat >"$1"' sh "$ZPUB_PG_DIR/data/pg_hba.conf" <<EOF
local all postgres trust
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
EOF
	local try conf
	for try in 1 2 3 4 5; do
		ZPUB_PG_PORT=$(pg__free_port)
		conf="listen_addresses = '127.0.0.1'
port = $ZPUB_PG_PORT
unix_socket_directories = '$ZPUB_PG_DIR'
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 32MB
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '"
		local kv
		for kv in "$@"; do
			conf="$conf
${kv%%=*} = '${kv#*=}'"
		done
		printf '%s\n' "$conf" | pg__as sh -c 'cat >"$1"' sh "$ZPUB_PG_DIR/data/zpub_test.conf"
		grep -q "^include_if_exists = 'zpub_test.conf'" "$ZPUB_PG_DIR/data/postgresql.conf" ||
		    echo "include_if_exists = 'zpub_test.conf'" |
		    pg__as sh -c 'cat >>"$1"' sh "$ZPUB_PG_DIR/data/postgresql.conf"
		if pg__ctl -w -t 60 start >"$ZPUB_PG_DIR/ctl.log" 2>&1; then
			break
		fi
		# Another process may have taken the port between the pick and the start.
		if [ "$try" = 5 ]; then
			cat "$ZPUB_PG_DIR/ctl.log" "$ZPUB_PG_DIR/log" >&2 2>/dev/null || true
			echo "pg_start: the server did not start" >&2
			return 1
		fi
	done
	export ZPUB_PG_PORT
	export ZPUB_PG_ADMIN_URL="postgresql://postgres@/postgres?host=$ZPUB_PG_DIR&port=$ZPUB_PG_PORT"
	ZPUB_PG_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
	export ZPUB_PG_PASSWORD
	pg_admin_psql -c "CREATE ROLE zpub LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$ZPUB_PG_PASSWORD'" \
	    -c "CREATE DATABASE zpub OWNER zpub" || { pg_log >&2; return 1; }
	export ZPUB_PG_URL="postgresql://zpub:$ZPUB_PG_PASSWORD@127.0.0.1:$ZPUB_PG_PORT/zpub"
}

pg_stop() {
	[ -n "${ZPUB_PG_DIR:-}" ] || return 0
	if [ -d "$ZPUB_PG_DIR/data" ]; then
		pg__ctl -w -m fast stop >/dev/null 2>&1 || true
	fi
	rm -rf "$ZPUB_PG_DIR"
	unset ZPUB_PG_DIR ZPUB_PG_PORT ZPUB_PG_URL ZPUB_PG_ADMIN_URL ZPUB_PG_PASSWORD
}

pg_restart() {
	pg__ctl -w -t 60 -m fast restart >>"$ZPUB_PG_DIR/ctl.log" 2>&1 ||
	    { pg_log >&2; echo "pg_restart: failed" >&2; return 1; }
}

pg_pause() {
	pg__ctl -w -m fast stop >>"$ZPUB_PG_DIR/ctl.log" 2>&1 ||
	    { echo "pg_pause: failed" >&2; return 1; }
}

pg_resume() {
	pg__ctl -w -t 60 start >>"$ZPUB_PG_DIR/ctl.log" 2>&1 ||
	    { pg_log >&2; echo "pg_resume: failed (port $ZPUB_PG_PORT taken?)" >&2; return 1; }
}

pg_newdb() {
	case $1 in
	*[!a-z0-9_]* | "") echo "pg_newdb: name in a-z, 0-9, _ only" >&2; return 1 ;;
	esac
	pg_admin_psql -c "CREATE DATABASE $1 OWNER zpub" >&2 || return 1
	echo "postgresql://zpub:$ZPUB_PG_PASSWORD@127.0.0.1:$ZPUB_PG_PORT/$1"
}
