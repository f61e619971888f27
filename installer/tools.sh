# shellcheck shell=bash
# Shared by build.sh and test.sh: fetch what a fresh Debian machine lacks, and the
# checks both need. Source it; it defines functions only.

NFPM_VERSION=v2.45.0 # the newest nfpm whose dependencies all resolve through the Go module proxy

log() { printf '\n== %s\n' "$*"; }
die() { printf 'installer: %s\n' "$*" >&2; exit 1; }

# need_apt PKG...: install the Debian packages that are not installed yet.
need_apt() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages (${missing[*]}); install them as root: apt-get install -y ${missing[*]}"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# need_nfpm: put nfpm on PATH, building it from the Go module proxy when missing.
need_nfpm() {
  export PATH="$PATH:$(go env GOPATH)/bin"
  command -v nfpm >/dev/null 2>&1 && return 0
  log "installing nfpm $NFPM_VERSION"
  GOFLAGS= CGO_ENABLED=0 go install "github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION"
}

# WINDOWS_SYSTEM_DLLS are the DLLs every Windows 10/11 and Server 2016+ has; the
# Windows binary may import these and nothing else (no libwinpthread-1.dll,
# libgcc_s_seh-1.dll or libstdc++-6.dll beside it).
WINDOWS_SYSTEM_DLLS='kernel32 advapi32 ws2_32 msvcrt ucrtbase ntdll user32 gdi32 shell32 ole32 oleaut32 crypt32 secur32 bcrypt bcryptprimitives userenv iphlpapi dnsapi mswsock netapi32 winmm wtsapi32 psapi shlwapi version dbghelp powrprof sechost rpcrt4 comctl32 setupapi cfgmgr32'

# check_windows_imports EXE: fail unless EXE imports only system DLLs.
check_windows_imports() {
  local exe=$1 dlls bad=() d base
  dlls=$(x86_64-w64-mingw32-objdump -p "$exe" | awk '/DLL Name:/ {print $3}') || die "objdump cannot read $exe"
  [ -n "$dlls" ] || die "$exe imports no DLL at all; objdump output is not what this check expects"
  for d in $dlls; do
    base=$(printf '%s' "${d%.[dD][lL][lL]}" | tr '[:upper:]' '[:lower:]')
    case " $WINDOWS_SYSTEM_DLLS " in
      *" $base "*) continue ;;
    esac
    case "$base" in
      api-ms-win-*) continue ;;
    esac
    bad+=("$d")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    echo "$exe needs DLLs that Windows does not have: ${bad[*]}" >&2
    echo "(link statically: -ldflags '-extldflags \"-static\"')" >&2
    return 1
  fi
  echo "$exe imports only system DLLs: $(echo "$dlls" | tr '\n' ' ')"
}
