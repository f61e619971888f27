#!/usr/bin/env bash
# Builds every release artifact into dist/ (or $DIST):
#   syncagent_<version>_amd64.deb, syncagent_<version>_arm64.deb,
#   syncagent-<version>.x86_64.rpm, syncagent-<version>.aarch64.rpm,
#   syncagent-<version>-setup.exe (Windows amd64), the bare binaries, SHA256SUMS.
# Every binary is built with cgo (SQLite needs it; without cgo it builds and then fails
# at run time). The Windows one is linked statically, so it needs no DLL beside it; the
# Linux ones link the system's glibc, and the packages require the version they use.
#
# Runs on a fresh Debian 12 machine as root: it installs the cross compilers, nsis and
# nfpm when they are missing. Environment:
#   VERSION  version to stamp (default: from the git tag, else 0.0.0+git<date>.<commit>)
#   TARGETS  subset of "linux-amd64 linux-arm64 windows-amd64" (default: all)
#   DIST     output folder (default: dist)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="/usr/local/go/bin:$PATH"
# shellcheck source=installer/tools.sh
. installer/tools.sh

DIST=${DIST:-$ROOT/dist}
TARGETS=${TARGETS:-linux-amd64 linux-arm64 windows-amd64}
MAINTAINER=${MAINTAINER:-SyncAgent packaging <packaging@syncagent.invalid>}

default_version() {
  local tag base
  if tag=$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null); then
    echo "${tag#v}"
    return
  fi
  base=0.0.0
  if tag=$(git describe --tags --abbrev=0 --match 'v[0-9]*' 2>/dev/null); then
    base=${tag#v}
  fi
  # "+git<commit time>" sorts after the last release and between later builds, for
  # dpkg and rpm alike, so an upgrade from one build to the next is an upgrade.
  echo "${base}+git$(git log -1 --format=%cd --date=format:%Y%m%d%H%M%S 2>/dev/null || date -u +%Y%m%d%H%M%S).$(git rev-parse --short=7 HEAD 2>/dev/null || echo 0000000)"
}
VERSION=${VERSION:-$(default_version)}
case "$VERSION" in
  [0-9]*) ;;
  *) die "VERSION must start with a digit (dpkg and rpm require it): $VERSION" ;;
esac
case "$VERSION" in
  *-* | *' '*) die "VERSION cannot contain '-' or spaces (rpm forbids '-' in versions): $VERSION" ;;
esac
COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  COMMIT="$COMMIT-dirty"
fi
# Windows file versions are four numbers: the leading x.y.z of VERSION, then 0.
WINVER=0.0.0.0
if [[ $VERSION =~ ^([0-9]+)(\.([0-9]+))?(\.([0-9]+))? ]]; then
  WINVER="${BASH_REMATCH[1]}.${BASH_REMATCH[3]:-0}.${BASH_REMATCH[5]:-0}.0"
fi

want() { case " $TARGETS " in *" $1 "*) return 0 ;; esac; return 1; }

apt_pkgs=(gcc libc6-dev binutils git)
want linux-arm64 && apt_pkgs+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
want windows-amd64 && apt_pkgs+=(gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 nsis)
need_apt "${apt_pkgs[@]}"
command -v go >/dev/null 2>&1 || die "Go is not installed (see go.mod for the version)"
if want linux-amd64 || want linux-arm64; then need_nfpm; fi

log "syncagent $VERSION (commit $COMMIT) for: $TARGETS"
case "$DIST" in
  / | "$ROOT" | "") die "DIST must be a folder of its own, not \"$DIST\"" ;;
esac
rm -rf "$DIST"
mkdir -p "$DIST/build"

# Nothing loads SQLite extensions; leaving the loader out keeps dlopen out of the binary.
TAGS=sqlite_omit_load_extension
LDFLAGS="-s -w -X syncagent/agent/cli.Version=$VERSION -X syncagent/agent/cli.Commit=$COMMIT"

# build GOOS GOARCH CC OUT
build() {
  local ld=$LDFLAGS mode=() cflags=${CGO_CFLAGS:--O2 -g}
  case "$1" in
    # Static on Windows: libgcc and libwinpthread would otherwise be DLLs to ship.
    windows) ld="$ld -extldflags -static" ;;
    # Debian's hardening: position-independent (ASLR), read-only relocations, and
    # fortified C (SQLite) code.
    linux)
      mode=(-buildmode=pie)
      ld="$ld -extldflags=-Wl,-z,relro,-z,now"
      cflags="$cflags -D_FORTIFY_SOURCE=2 -fstack-protector-strong"
      ;;
  esac
  log "building $1/$2"
  CGO_ENABLED=1 GOOS=$1 GOARCH=$2 CC=$3 CGO_CFLAGS="$cflags" \
    go build -trimpath "${mode[@]}" -tags "$TAGS" -ldflags "$ld" -o "$4" .
}

# glibc_needed BINARY: the newest GLIBC_x.y symbol version BINARY uses, which the
# packages then require (readelf reads any architecture).
glibc_needed() {
  readelf --version-info --wide "$1" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1
}

# package ARCH (Debian name): the .deb and the .rpm for one architecture.
package() {
  local arch=$1 bin="$DIST/build/linux-$1/syncagent"
  log "packaging linux/$arch"
  GLIBC=$(glibc_needed "$bin")
  [ -n "$GLIBC" ] || die "cannot tell which glibc $bin needs"
  echo "linux/$arch needs glibc >= $GLIBC"
  export ARCH=$arch VERSION BINARY=$bin DOCS="$DIST/build/doc" MAINTAINER GLIBC
  nfpm package --config installer/nfpm.yaml --packager deb --target "$DIST/"
  nfpm package --config installer/nfpm.yaml --packager rpm --target "$DIST/"
}

# Files the packages carry besides the binary: Debian wants a changelog and a
# copyright file in /usr/share/doc/syncagent.
mkdir -p "$DIST/build/doc"
{
  echo "syncagent ($VERSION) stable; urgency=medium"
  echo
  echo "  * Build of commit $COMMIT."
  echo
  echo " -- $MAINTAINER  $(date -R -u -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")"
} | gzip -9n >"$DIST/build/doc/changelog.gz"

for arch in amd64 arm64; do
  want "linux-$arch" || continue
  cc=gcc
  [ "$arch" = arm64 ] && cc=aarch64-linux-gnu-gcc
  build linux "$arch" "$cc" "$DIST/build/linux-$arch/syncagent"
  cp "$DIST/build/linux-$arch/syncagent" "$DIST/syncagent-$VERSION-linux-$arch"
  package "$arch"
done

if want windows-amd64; then
  exe="$DIST/build/windows-amd64/syncagent.exe"
  build windows amd64 x86_64-w64-mingw32-gcc "$exe"
  check_windows_imports "$exe"
  cp "$exe" "$DIST/syncagent-$VERSION-windows-amd64.exe"
  log "building the Windows installer"
  makensis -V2 -INPUTCHARSET UTF8 \
    -DVERSION="$VERSION" -DWINVER="$WINVER" \
    -DEXE="$exe" -DCONFIG="$ROOT/installer/windows/config.yaml" \
    -DEXAMPLE="$ROOT/examples/config.yaml" -DDOC="$ROOT/docs/install.md" \
    -DOUTFILE="$DIST/syncagent-$VERSION-setup.exe" \
    installer/windows/syncagent.nsi
fi

(cd "$DIST" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | sort | xargs sha256sum >SHA256SUMS)
log "artifacts in $DIST"
ls -l "$DIST"
