#!/usr/bin/env bash
# Checks the artifacts installer/build.sh wrote to dist/ (or $DIST). Every check runs;
# the script exits non-zero when any failed.
#
#   .deb   contents, owners, modes, conffiles, dependencies, lintian; the unit is the one
#          kardianos renders (installer/linux/syncagent.service) and passes
#          systemd-analyze verify; then, as root on a machine without syncagent
#          installed: install, account and folders, the service entry run as the
#          account, a broken config, an upgrade that keeps edits, remove, purge.
#   .rpm   contents, owners, modes, config(noreplace), requirements, scriptlets.
#   arm64  the binary runs (qemu-user): version, check-config, a start and stop.
#   Windows  imports only system DLLs; under wine: version, check-config, setup.exe /S
#          (files, config, service registration, Add/Remove Programs), a second setup
#          that keeps an edited config, and the uninstaller.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="/usr/local/go/bin:$PATH"
# shellcheck source=installer/tools.sh
. installer/tools.sh
DIST=${DIST:-$ROOT/dist}

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); printf 'ok    %s\n' "$1"; }
fail() {
  FAILED=$((FAILED + 1))
  printf 'FAIL  %s\n' "$1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 40 | sed 's/^/      /'
  return 0
}
# check DESCRIPTION COMMAND...: passes when COMMAND exits 0; shows its output if not.
check() {
  local d=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$d"; else fail "$d" "$out"; fi
}
# has TEXT PATTERN: TEXT contains the fixed string PATTERN.
has() { case "$1" in *"$2"*) return 0 ;; esac; printf 'missing %q in:\n%s\n' "$2" "$1"; return 1; }

TMP=$(mktemp -d)
cleanup() {
  [ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null
  [ -n "${WINESERVER:-}" ] && "$WINESERVER" -k 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

one() { # one GLOB: the single file matching GLOB in DIST, or nothing
  local f
  f=$(find "$DIST" -maxdepth 1 -name "$1" | sort | head -n1)
  printf '%s' "$f"
}

DEB_AMD64=$(one 'syncagent_*_amd64.deb')
DEB_ARM64=$(one 'syncagent_*_arm64.deb')
RPM_AMD64=$(one 'syncagent-*.x86_64.rpm')
RPM_ARM64=$(one 'syncagent-*.aarch64.rpm')
BIN_ARM64=$(one 'syncagent-*-linux-arm64')
EXE=$(one 'syncagent-*-windows-amd64.exe')
SETUP=$(one 'syncagent-*-setup.exe')
[ -n "$DEB_AMD64$DEB_ARM64$RPM_AMD64$RPM_ARM64$EXE$SETUP" ] || die "no artifacts in $DIST; run installer/build.sh first"
# The version is in every artifact's name; the bare binaries carry it plainly.
VERSION=$(basename "$(one 'syncagent-*-linux-*')")
[ -n "$VERSION" ] || VERSION=$(basename "$EXE")
VERSION=${VERSION#syncagent-}
VERSION=${VERSION%-linux-*}
VERSION=${VERSION%-windows-amd64.exe}

pkgs=(binutils)
[ -n "$DEB_AMD64$DEB_ARM64" ] && pkgs+=(lintian systemd file)
[ -n "$RPM_AMD64$RPM_ARM64" ] && pkgs+=(rpm)
[ -n "$BIN_ARM64" ] && pkgs+=(qemu-user libc6-arm64-cross)
[ -n "$EXE$SETUP" ] && pkgs+=(wine64 gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64)
need_apt "${pkgs[@]}"

log "checking syncagent $VERSION in $DIST"

# ---------------------------------------------------------------- Debian packages
# deb_entry DEB PATH: "mode owner" of PATH in DEB's file list.
deb_entry() { dpkg-deb -c "$1" | awk -v p="$2" '$6 == p {print $1, $2}'; }
expect_deb_entry() {
  local got
  got=$(deb_entry "$1" "$2")
  [ "$got" = "$3" ] || { echo "$2 is \"$got\" in $(basename "$1"), want \"$3\""; return 1; }
}

check_deb() {
  local deb=$1 arch=$2 name
  name=$(basename "$deb")
  check "$name: control fields" bash -c '
    f=$(dpkg-deb -f "$1" Package Version Architecture Depends)
    case "$f" in *"Package: syncagent"*"Version: '"$VERSION"'"*"Architecture: '"$arch"'"*"libc6 (>= 2."*"systemd"*) ;; *) echo "$f"; exit 1 ;; esac' _ "$deb"
  local e
  for e in './usr/bin/syncagent|-rwxr-xr-x root/root' \
    './etc/syncagent/|drwxr-x--- root/root' \
    './etc/syncagent/config.yaml|-rw-r----- root/root' \
    './lib/systemd/system/syncagent.service|-rw-r--r-- root/root' \
    './usr/lib/sysusers.d/syncagent.conf|-rw-r--r-- root/root' \
    './usr/lib/tmpfiles.d/syncagent.conf|-rw-r--r-- root/root' \
    './usr/share/doc/syncagent/copyright|-rw-r--r-- root/root' \
    './usr/share/doc/syncagent/changelog.gz|-rw-r--r-- root/root' \
    './usr/share/doc/syncagent/config.example.yaml|-rw-r--r-- root/root'; do
    check "$name: ${e%%|*} is ${e#*|}" expect_deb_entry "$deb" "${e%%|*}" "${e#*|}"
  done
  check "$name: the config is a conffile" bash -c 'dpkg-deb --ctrl-tarfile "$1" | tar -xO ./conffiles | grep -qx /etc/syncagent/config.yaml' _ "$deb"
  check "$name: postinst, prerm and postrm are present" bash -c 'dpkg-deb --ctrl-tarfile "$1" | tar -t | sort | tr "\n" " " | grep -q "./postinst ./postrm ./prerm"' _ "$deb"
  check "$name: ships installer/linux/syncagent.service unchanged" bash -c 'dpkg-deb --fsys-tarfile "$1" | tar -xO ./lib/systemd/system/syncagent.service | cmp - installer/linux/syncagent.service' _ "$deb"
  check "$name: ships the Linux default config unchanged" bash -c 'dpkg-deb --fsys-tarfile "$1" | tar -xO ./etc/syncagent/config.yaml | cmp - installer/linux/config.yaml' _ "$deb"
  check "$name: the binary is linux/$arch" bash -c 'dpkg-deb --fsys-tarfile "$1" | tar -xO ./usr/bin/syncagent > "$2" && file "$2" | grep -q "$3"' _ "$deb" "$TMP/bin-$arch" "$( [ "$arch" = amd64 ] && echo x86-64 || echo aarch64 )"
  # Errors and warnings fail; the overrides the package ships explain the deliberate ones.
  check "$name: lintian reports no error or warning" lintian --fail-on error,warning "$deb"
}

unit_checks() {
  local unit=installer/linux/syncagent.service text
  text=$(cat "$unit")
  check "unit: ExecStart runs the service entry with the absolute config path" has "$text" 'ExecStart=/usr/bin/syncagent "run-service" "--config" "/etc/syncagent/config.yaml"'
  check "unit: restarts on failure after 5 s" bash -c 'grep -qx "Restart=on-failure" "$1" && grep -qx "RestartSec=5" "$1"' _ "$unit"
  check "unit: stop timeout 15 s" bash -c 'grep -qx "TimeoutStopSec=15" "$1"' _ "$unit"
  check "unit: a broken config (exit 78) is not restarted in a loop" bash -c 'grep -qx "RestartPreventExitStatus=78" "$1"' _ "$unit"
  check "unit: runs as the syncagent account" bash -c 'grep -qx "User=syncagent" "$1"' _ "$unit"
  # systemd-analyze checks every key; it needs the program at the path ExecStart names.
  if [ -n "$DEB_AMD64" ]; then
    mkdir -p "$TMP/unit"
    dpkg-deb -x "$DEB_AMD64" "$TMP/unit/root"
    sed "s#/usr/bin/syncagent#$TMP/unit/root/usr/bin/syncagent#g" "$unit" >"$TMP/unit/syncagent.service"
    check "unit: systemd-analyze verify is silent" bash -c 'out=$(systemd-analyze verify "$1" 2>&1); rc=$?; echo "$out"; [ $rc -eq 0 ] && [ -z "$out" ]' _ "$TMP/unit/syncagent.service"
  fi
}

# ---------------------------------------------------------------- RPM packages
check_rpm() {
  local rpm=$1 arch=$2 name
  name=$(basename "$rpm")
  check "$name: architecture $arch, version $VERSION" bash -c '[ "$(rpm -qp --qf "%{ARCH} %{VERSION}" "$1")" = "$2 $3" ]' _ "$rpm" "$arch" "$VERSION"
  local e
  for e in '/usr/bin/syncagent|-rwxr-xr-x root root' \
    '/etc/syncagent|drwxr-x--- root root' \
    '/etc/syncagent/config.yaml|-rw-r----- root root' \
    '/usr/lib/systemd/system/syncagent.service|-rw-r--r-- root root' \
    '/usr/lib/sysusers.d/syncagent.conf|-rw-r--r-- root root' \
    '/usr/lib/tmpfiles.d/syncagent.conf|-rw-r--r-- root root'; do
    check "$name: ${e%%|*} is ${e#*|}" bash -c 'got=$(rpm -qp --qf "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\n]" "$1" | awk -v p="$2" "\$4 == p {print \$1, \$2, \$3}"); [ "$got" = "$3" ] || { echo "got \"$got\""; exit 1; }' _ "$rpm" "${e%%|*}" "${e#*|}"
  done
  check "$name: the config is %config(noreplace)" bash -c 'rpm -qp --qf "[%{FILEFLAGS:fflags} %{FILENAMES}\n]" "$1" | grep -qx "cn /etc/syncagent/config.yaml"' _ "$rpm"
  check "$name: requires glibc and systemd" bash -c 'r=$(rpm -qp --requires "$1"); echo "$r" | grep -q "^glibc >= 2\." && echo "$r" | grep -qx systemd' _ "$rpm"
  check "$name: scriptlets create the account and handle the unit" bash -c 's=$(rpm -qp --scripts "$1"); for w in "systemd-sysusers syncagent.conf" "systemd-tmpfiles --create syncagent.conf" "systemctl enable syncagent.service" "disable --now syncagent.service"; do echo "$s" | grep -qF "$w" || { echo "no \"$w\""; exit 1; }; done' _ "$rpm"
}

# ---------------------------------------------------------------- running the agent
# run_and_stop LABEL LOGDIR RUNNER...: start RUNNER (a run-service command line) in the
# background, wait for "agent started" in LOGDIR/syncagent.log, send SIGTERM and expect
# exit status 0 within the 15 s systemd allows.
run_and_stop() {
  local label=$1 logdir=$2 i rc
  shift 2
  "$@" </dev/null >"$TMP/agent.out" 2>&1 &
  AGENT_PID=$!
  for i in $(seq 1 150); do
    grep -q '"agent started"' "$logdir/syncagent.log" 2>/dev/null && break
    kill -0 "$AGENT_PID" 2>/dev/null || break
    sleep 0.2
  done
  if ! grep -q '"agent started"' "$logdir/syncagent.log" 2>/dev/null; then
    kill "$AGENT_PID" 2>/dev/null
    fail "$label: the agent starts" "$(cat "$TMP/agent.out" "$logdir/syncagent.log" 2>/dev/null)"
    AGENT_PID=
    return
  fi
  pass "$label: the agent starts and logs to $logdir"
  kill -TERM "$AGENT_PID"
  for i in $(seq 1 75); do
    kill -0 "$AGENT_PID" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$AGENT_PID" 2>/dev/null; then
    kill -KILL "$AGENT_PID"
    fail "$label: SIGTERM stops the agent within 15 s"
  else
    wait "$AGENT_PID"
    rc=$?
    if [ $rc -eq 0 ] && grep -q '"stopped"' "$logdir/syncagent.log"; then
      pass "$label: SIGTERM stops the agent cleanly"
    else
      fail "$label: SIGTERM stops the agent cleanly (exit $rc)" "$(cat "$TMP/agent.out")"
    fi
  fi
  AGENT_PID=
}

# expect_broken_config LABEL RUNNER...: RUNNER check-config on installer/test/broken.yaml
# (passed as the last argument by the caller) exits 1 and names both lines.
expect_broken() {
  local label=$1 out rc
  shift
  out=$("$@" 2>&1)
  rc=$?
  if [ $rc -eq "$BROKEN_EXIT" ] && has "$out" 'broken.yaml:5:3: unknown key "levle" in log; did you mean "level"?' >/dev/null &&
    has "$out" 'broken.yaml:7:5: stores[0]: required key "marketplace" is missing' >/dev/null; then
    pass "$label"
  else
    fail "$label (exit $rc, want $BROKEN_EXIT with line and column of both errors)" "$out"
  fi
}

# ---------------------------------------------------------------- install the .deb
install_test() {
  local deb=$DEB_AMD64 cfg=/etc/syncagent/config.yaml
  if [ "$(id -u)" -ne 0 ] || [ "$(dpkg --print-architecture)" != amd64 ]; then
    echo "skip  installing the .deb (needs root on amd64)"
    return
  fi
  if dpkg-query -W -f='${Status}' syncagent 2>/dev/null | grep -q 'ok installed\|config-files'; then
    fail "installing the .deb: syncagent is already installed here; this test does not touch an existing installation"
    return
  fi
  export DEBIAN_FRONTEND=noninteractive
  check "dpkg -i installs the package" dpkg -i "$deb"
  check "the syncagent system account exists, without a login shell" bash -c 'e=$(getent passwd syncagent) && uid=$(echo "$e" | cut -d: -f3) && [ "$uid" -lt 1000 ] && echo "$e" | grep -q ":/var/lib/syncagent:/usr/sbin/nologin$"'
  local d
  for d in '/var/lib/syncagent|drwxr-x--- syncagent syncagent' '/var/log/syncagent|drwxr-x--- syncagent syncagent' \
    '/var/lib/syncagent/drop|drwxrws--- syncagent syncagent' '/etc/syncagent|drwxr-x--- root syncagent' \
    '/etc/syncagent/config.yaml|-rw-r----- root syncagent'; do
    check "${d%%|*} is ${d#*|}" bash -c '[ "$(stat -c "%A %U %G" "$1")" = "$2" ] || { stat -c "%A %U %G" "$1"; exit 1; }' _ "${d%%|*}" "${d#*|}"
  done
  check "the unit is enabled" test -L /etc/systemd/system/multi-user.target.wants/syncagent.service
  check "systemd-analyze verify of the installed unit is silent" bash -c 'out=$(systemd-analyze verify /lib/systemd/system/syncagent.service 2>&1); rc=$?; echo "$out"; [ $rc -eq 0 ] && [ -z "$out" ]'
  check "syncagent version prints $VERSION" bash -c '/usr/bin/syncagent version | grep -qF "syncagent $1 "' _ "$VERSION"
  check "the packaged config is valid" /usr/bin/syncagent check-config --config "$cfg"

  # As systemd runs it: the service entry as the account, in no particular folder.
  run_and_stop "service entry as syncagent" /var/log/syncagent \
    setpriv --reuid=syncagent --regid=syncagent --init-groups -- /usr/bin/syncagent run-service --config "$cfg"
  check "the store belongs to the account" bash -c '[ "$(stat -c %U /var/lib/syncagent/syncagent.db)" = syncagent ]'

  cp installer/test/broken.yaml /etc/syncagent/broken.yaml
  chgrp syncagent /etc/syncagent/broken.yaml
  BROKEN_EXIT=78 expect_broken "a broken config stops the service entry with exit 78 and line numbers" \
    setpriv --reuid=syncagent --regid=syncagent --init-groups -- /usr/bin/syncagent run-service --config /etc/syncagent/broken.yaml
  rm -f /etc/syncagent/broken.yaml

  # An upgrade to a newer version keeps the edited config and its permissions.
  echo "# edited by installer/test.sh" >>"$cfg"
  local newer="$TMP/upgrade"
  if repackage "$newer" "$VERSION.1"; then
    check "dpkg -i of a newer version upgrades" dpkg -i --force-confold "$newer"/*.deb
    check "the upgrade keeps the edited config" grep -q "edited by installer/test.sh" "$cfg"
    check "the upgrade keeps the config's group" bash -c '[ "$(stat -c "%A %U %G" "$1")" = "-rw-r----- root syncagent" ]' _ "$cfg"
    check "the upgrade keeps the data" test -f /var/lib/syncagent/syncagent.db
    check "dpkg records the new version" bash -c '[ "$(dpkg-query -W -f="\${Version}" syncagent)" = "$1" ]' _ "$VERSION.1"
  else
    fail "building a newer package for the upgrade test"
  fi

  check "dpkg -r removes the package" dpkg -r syncagent
  check "removal deletes the program" test ! -e /usr/bin/syncagent
  check "removal keeps config, data, logs and the account" bash -c 'grep -q "edited by installer/test.sh" /etc/syncagent/config.yaml && test -f /var/lib/syncagent/syncagent.db && test -f /var/log/syncagent/syncagent.log && getent passwd syncagent >/dev/null'
  check "dpkg -P purges the package" dpkg -P syncagent
  check "purge deletes config, data and logs" bash -c '! test -e /etc/syncagent && ! test -e /var/lib/syncagent && ! test -e /var/log/syncagent'
}

# repackage OUTDIR VERSION: the amd64 package again, under another version.
repackage() {
  local out=$1 bin
  mkdir -p "$out"
  bin=$(one 'syncagent-*-linux-amd64')
  [ -n "$bin" ] && [ -f "$DIST/build/doc/changelog.gz" ] || return 1
  need_nfpm >/dev/null
  ARCH=amd64 VERSION=$2 BINARY=$bin DOCS=$DIST/build/doc GLIBC=2.34 MAINTAINER="test <test@syncagent.invalid>" \
    nfpm package --config installer/nfpm.yaml --packager deb --target "$out/" >/dev/null
}

# ---------------------------------------------------------------- arm64 under qemu
arm64_test() {
  local q=(qemu-aarch64 -L /usr/aarch64-linux-gnu "$BIN_ARM64") dir=$TMP/arm64
  check "arm64: syncagent version runs" bash -c '"$@" version | grep -q "linux/arm64"' _ "${q[@]}"
  check "arm64: the Linux default config is valid" "${q[@]}" check-config --config installer/linux/config.yaml
  BROKEN_EXIT=78 expect_broken "arm64: check-config names the lines of a broken config" "${q[@]}" check-config --config installer/test/broken.yaml
  mkdir -p "$dir"
  printf 'log:\n  console: never\n' >"$dir/config.yaml"
  run_and_stop "arm64 (SQLite through cgo)" "$dir/data/logs" "${q[@]}" run-service --config "$dir/config.yaml"
}

# ---------------------------------------------------------------- Windows under wine
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }

wine_init() {
  WINE=$(command -v wine64 || echo /usr/lib/wine/wine64)
  WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver64)
  export WINE WINEPREFIX=$TMP/wine WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml='
  timeout 300 "$WINE" wineboot --init >/dev/null 2>&1
  # Let the first session end: commands started while it winds down can meet a second
  # service manager that knows nothing of the first one's services.
  timeout 120 "$WINESERVER" -w
  x86_64-w64-mingw32-gcc -O2 -shared -static-libgcc -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    installer/test/bcryptprimitives.c installer/test/bcryptprimitives.def -ladvapi32
}
w() { timeout 300 "$WINE" "$@"; }
# reg_value KEY NAME: the data of a registry value, as reg query prints it.
reg_value() { w reg query "$1" /v "$2" 2>/dev/null | tr -d '\r' | awk -v n="$2" '$1 == n {$1=""; $2=""; sub(/^  */, ""); print}'; }

windows_test() {
  check "windows: the binary imports only system DLLs" check_windows_imports "$EXE"
  # The import check must be able to fail: a program that needs libwinpthread-1.dll.
  printf '#include <pthread.h>\nint main(void){ return pthread_self() == 0; }\n' >"$TMP/needsdll.c"
  if x86_64-w64-mingw32-gcc -o "$TMP/needsdll.exe" "$TMP/needsdll.c" -Wl,-Bdynamic -lwinpthread 2>"$TMP/cc.err"; then
    check "windows: the import check rejects a program needing libwinpthread-1.dll" bash -c '! check_windows_imports "$1"' _ "$TMP/needsdll.exe"
  else
    fail "windows: building the import check's counter-example" "$(cat "$TMP/cc.err")"
  fi

  wine_init || { fail "windows: a wine prefix"; return; }
  # The service adapter's own tests, as Windows code (SCM calls aside, which need Windows).
  if GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -c -o "$TMP/service.test.exe" ./agent/service >"$TMP/gotest.err" 2>&1; then
    check "windows: go test ./agent/service passes as a Windows program" w "$TMP/service.test.exe"
  else
    fail "windows: building the agent/service tests for Windows" "$(cat "$TMP/gotest.err")"
  fi
  check "windows: syncagent.exe version prints $VERSION" bash -c 'out=$(timeout 120 "$1" "$2" version 2>&1); echo "$out"; echo "$out" | grep -qF "syncagent $3 " && echo "$out" | grep -q "windows/amd64"' _ "$WINE" "$EXE" "$VERSION"
  check "windows: the Windows default config is valid" bash -c 'out=$(timeout 120 "$1" "$2" check-config --config "$3" 2>&1); rc=$?; echo "$out"; [ $rc -eq 0 ] && echo "$out" | grep -q "config is valid"' _ "$WINE" "$EXE" "$(winpath "$ROOT/installer/windows/config.yaml")"
  BROKEN_EXIT=78 expect_broken "windows: check-config names the lines of a broken config" w "$EXE" check-config --config "$(winpath "$ROOT/installer/test/broken.yaml")"

  [ -n "$SETUP" ] || { fail "windows: setup.exe is missing from $DIST"; return; }
  local pf="$WINEPREFIX/drive_c/Program Files/SyncAgent" data=$WINEPREFIX/drive_c/ProgramData/SyncAgent
  local svc='HKLM\System\CurrentControlSet\Services\syncagent' un='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\SyncAgent'
  # Setup starts the service; wine's service manager cannot finish that handshake (see
  # docs/install.md), so the start is reported as failed there and setup goes on.
  check "windows: setup.exe /S succeeds" w "$SETUP" /S
  check "windows: the program is in Program Files" test -f "$pf/syncagent.exe"
  check "windows: the uninstaller is in Program Files" test -f "$pf/uninstall.exe"
  check "windows: the default config is written to ProgramData" cmp "$data/config.yaml" installer/windows/config.yaml
  check "windows: data\\logs and drop exist" bash -c 'test -d "$1/data/logs" && test -d "$1/drop"' _ "$data"
  check "windows: the service runs the entry with the absolute config path" bash -c '[ "$(reg_value "$1" ImagePath)" = "\"C:\\Program Files\\SyncAgent\\syncagent.exe\" run-service --config C:\\ProgramData\\SyncAgent\\config.yaml" ] || reg_value "$1" ImagePath' _ "$svc"
  check "windows: the service starts automatically" bash -c '[ "$(reg_value "$1" Start)" = 0x2 ]' _ "$svc"
  check "windows: the Event Log source is registered" w reg query 'HKLM\System\CurrentControlSet\Services\EventLog\Application\syncagent'
  check "windows: Add/Remove Programs lists SyncAgent $VERSION" bash -c '[ "$(reg_value "$1" DisplayName)" = SyncAgent ] && [ "$(reg_value "$1" DisplayVersion)" = "$2" ] && [ -n "$(reg_value "$1" UninstallString)" ]' _ "$un" "$VERSION"

  echo "# edited by installer/test.sh" >>"$data/config.yaml"
  check "windows: setup.exe /S again (an upgrade) succeeds" w "$SETUP" /S
  check "windows: the upgrade keeps the edited config" grep -q "edited by installer/test.sh" "$data/config.yaml"
  check "windows: the upgrade keeps the service" bash -c '[ -n "$(reg_value "$1" ImagePath)" ]' _ "$svc"

  # The uninstaller copies itself to %TEMP% and returns at once; wait for its copy.
  w "$pf/uninstall.exe" /S
  local i
  for i in $(seq 1 120); do
    [ -e "$pf/syncagent.exe" ] || break
    sleep 1
  done
  check "windows: the uninstaller removes the program" test ! -e "$pf/syncagent.exe"
  check "windows: the uninstaller removes the service" bash -c '! w reg query "$1" >/dev/null 2>&1' _ "$svc"
  check "windows: the uninstaller removes the Add/Remove Programs entry" bash -c '! w reg query "$1" >/dev/null 2>&1' _ "$un"
  check "windows: the uninstaller keeps config and data" bash -c 'grep -q "edited by installer/test.sh" "$1/config.yaml" && test -d "$1/data"' _ "$data"
}
export -f check_windows_imports w reg_value
export WINDOWS_SYSTEM_DLLS

# ---------------------------------------------------------------- run
[ -n "$DEB_AMD64$DEB_ARM64" ] && unit_checks
[ -n "$DEB_AMD64" ] && check_deb "$DEB_AMD64" amd64
[ -n "$DEB_ARM64" ] && check_deb "$DEB_ARM64" arm64
[ -n "$RPM_AMD64" ] && check_rpm "$RPM_AMD64" x86_64
[ -n "$RPM_ARM64" ] && check_rpm "$RPM_ARM64" aarch64
[ -n "$BIN_ARM64" ] && arm64_test
[ -n "$EXE" ] && windows_test
[ -n "$DEB_AMD64" ] && install_test

printf '\n%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
