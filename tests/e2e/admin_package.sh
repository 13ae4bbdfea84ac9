# admin_package.sh — the Debian package builds (cpack) with the binary, the
# man page and the systemd unit; the unit runs the daemon in the foreground
# as the `zpub` user with its data in /var/lib/zpub; the maintainer scripts
# create that user; the man page renders without warnings.
. "$ZPUB_SRC/tests/lib/e2e.sh"
P="$ZPUB_SRC/packaging"
preconv "$P/zpub.1" | groff -man -Tutf8 -ww -z 2>"$T/groff.err"
[ ! -s "$T/groff.err" ] || fail "man page warnings: $(cat "$T/groff.err")"
grep -q '^User=zpub$' "$P/zpub.service" || fail "unit does not run as zpub"
grep -q '^ExecStart=/usr/bin/zpub --daemon --foreground$' "$P/zpub.service" || fail "ExecStart"
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$P/zpub.service" || fail "reload is not SIGHUP"
grep -q 'adduser --system --group' "$P/debian/postinst" || fail "postinst makes no user"
for s in postinst prerm postrm; do sh -n "$P/debian/$s" || fail "$s does not parse"; done
if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze verify "$P/zpub.service" 2>"$T/verify.err" || true
	# Not installed here: the binary and the man page; anything else is a fault.
	grep -Ev "/usr/bin/zpub|man zpub" "$T/verify.err" | grep -i "zpub.service" &&
		fail "unit: $(cat "$T/verify.err")"
fi
ok "unit, maintainer scripts and man page"

B=$(dirname "$ZPUB")
if [ ! -f "$B/cmake_install.cmake" ]; then
	echo "skip: $B is not a CMake build folder"; exit 0
fi
# The install rules (what the package holds), without building anything:
# cpack would rebuild the tree under tests running in parallel.
[ -f "$B/zpub.1.gz" ] || fail "zpub.1.gz not built (target zpub_manpage)"
cmake --install "$B" --prefix "$T/root" >"$T/install.out" 2>&1 || fail "install: $(cat "$T/install.out")"
for f in bin/zpub share/man/man1/zpub.1.gz lib/systemd/system/zpub.service; do
	[ -f "$T/root/$f" ] || fail "$f is not installed: $(cat "$T/install.out")"
done
"$T/root/bin/zpub" --version | grep -q "zpub " || fail "installed binary does not run"
# (through a file: grep -q stops reading early, and under pipefail zcat's
# SIGPIPE on a page larger than the pipe would fail the test)
zcat "$T/root/share/man/man1/zpub.1.gz" >"$T/zpub.1" || fail "man page does not unpack"
grep -q '^.SH DAEMON' "$T/zpub.1" || fail "man page"
ok "install rules: /usr/bin/zpub, zpub(1), zpub.service"

# The .deb itself (slower; ZPUB_TEST_CPACK=1, as CI's packaging step does).
if [ "${ZPUB_TEST_CPACK:-0}" != 1 ] || ! command -v cpack >/dev/null || ! command -v dpkg-deb >/dev/null; then
	echo "skip: cpack (set ZPUB_TEST_CPACK=1)"; exit 0
fi
cpack -G DEB --config "$B/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.out" 2>&1 || fail "cpack: $(cat "$T/cpack.out")"
deb=$(ls "$T"/pkg/zpub_*.deb)
dpkg-deb -c "$deb" >"$T/contents"
for f in ./usr/bin/zpub ./usr/share/man/man1/zpub.1.gz ./usr/lib/systemd/system/zpub.service; do
	grep -q " $f\$" "$T/contents" || fail "$f not in the package: $(cat "$T/contents")"
done
dpkg-deb -I "$deb" >"$T/info"
grep -q "Depends:.*adduser" "$T/info" || fail "no adduser dependency"
grep -q "Depends:.*libuv1" "$T/info" || fail "shared library dependencies missing"
ok "$(basename "$deb") holds the binary, zpub(1) and zpub.service"
