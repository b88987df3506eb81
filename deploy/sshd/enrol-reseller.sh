#!/usr/bin/env bash
# Enrol, update or disable one reseller on the SyncHub SFTP drop box (run as root).
#
#   enrol-reseller.sh RESELLER_ID 'ssh-ed25519 AAAA... comment'   enrol / replace key
#   enrol-reseller.sh RESELLER_ID -          read the public key line from stdin
#   enrol-reseller.sh --disable RESELLER_ID   lock the login, remove its key, end sessions
#   enrol-reseller.sh --login-name RESELLER_ID   print the login name, change nothing
#
# Idempotent: running it again converges to the same state (and re-enables a
# disabled reseller). Prints the login name on stdout. Data in inbox/ and
# outbox/ is never deleted.
#
# env (defaults are the production layout; tests point them at temp paths):
#   SYNCHUB_SFTP_ROOT=/srv/synchub/sftp       chroot parents, one dir per reseller
#   SYNCHUB_SFTP_KEYS_DIR=/etc/synchub/sftp-keys   authorized keys, one file per login
#   SYNCHUB_SFTP_GROUP=synchub-sftp          group of every reseller login
#   SYNCHUB_HUB_GROUP=synchub                group of the hub process (reads inbox, writes outbox)
#   SYNCHUB_USER_PREFIX=sh-                  login = prefix + reseller id (see README.md)
set -euo pipefail

ROOT=${SYNCHUB_SFTP_ROOT:-/srv/synchub/sftp}
KEYS=${SYNCHUB_SFTP_KEYS_DIR:-/etc/synchub/sftp-keys}
GROUP=${SYNCHUB_SFTP_GROUP:-synchub-sftp}
HUB_GROUP=${SYNCHUB_HUB_GROUP:-synchub}
PREFIX=${SYNCHUB_USER_PREFIX:-sh-}
NOLOGIN=/usr/sbin/nologin

die() { echo "enrol-reseller: $*" >&2; exit 2; }
usage() { sed -n '2,9p' "$0" >&2; exit 2; }

# Linux login names are at most 32 characters; longer ids keep a readable head
# and end in 8 hex digits of SHA-256(id) so that they stay unique.
login_name() {
  local id=$1 name="$PREFIX$1"
  if [ "${#name}" -gt 32 ]; then
    local digest; digest=$(printf '%s' "$id" | sha256sum | cut -c1-8)
    name="$PREFIX${id:0:$((32 - ${#PREFIX} - 9))}-$digest"
  fi
  printf '%s\n' "$name"
}

check_id() {
  [[ $1 =~ ^[a-z0-9][a-z0-9-]{1,62}$ ]] ||
    die "reseller id '$1' is invalid: use 2-63 characters a-z 0-9 '-', starting with a letter or digit"
}

# sshd refuses a chroot unless every path component is root-owned and not
# group/world-writable; say so now rather than at the reseller's first login.
check_root_path() {
  local p; p=$(readlink -f "$1")
  while :; do
    local owner mode; owner=$(stat -c %u "$p"); mode=$(stat -c %a "$p")
    [ "$owner" = 0 ] && (( (8#$mode & 8#022) == 0 )) ||
      die "$p (owner uid $owner, mode $mode) must be root-owned and not group/world-writable for sshd's ChrootDirectory; choose SYNCHUB_SFTP_ROOT elsewhere (not under /tmp)"
    [ "$p" = / ] && break
    p=$(dirname "$p")
  done
}

# useradd/groupadd can race with another enrolment (lock on /etc/passwd): retry a few times.
retry() { local i; for i in 1 2 3 4 5 6 7 8 9 10; do "$@" && return 0; sleep 0.$((RANDOM % 9 + 1)); done; "$@"; }
ensure_group() { getent group "$1" >/dev/null || retry groupadd --force --system "$1"; }
mkdir_as() { # mkdir_as PATH OWNER:GROUP MODE
  mkdir -p "$1"; chown "$2" "$1"; chmod "$3" "$1"
}

disable() {
  local id=$1 login; login=$(login_name "$id")
  id -u "$login" >/dev/null 2>&1 || die "no login '$login' for reseller '$id'; nothing to disable"
  rm -f "$KEYS/$login"
  retry usermod --lock --expiredate 1 "$login"
  pkill -KILL -u "$login" 2>/dev/null || true   # end its open SFTP sessions
  echo "$login"
}

enrol() {
  local id=$1 key=$2 login home
  login=$(login_name "$id"); home="$ROOT/$id"
  key=$(printf '%s' "$key" | tr -d '\r' | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
  [[ $key =~ ^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh.com|sk-ecdsa-sha2-nistp256@openssh.com)\ [A-Za-z0-9+/=]+(\ .*)?$ ]] ||
    die "the key must be one OpenSSH public key line ('ssh-ed25519 AAAA... comment'), without options"
  printf '%s\n' "$key" | ssh-keygen -l -f - >/dev/null 2>&1 ||
    die "ssh-keygen cannot read that public key; paste the agent's .pub line unchanged"

  ensure_group "$GROUP"; ensure_group "$HUB_GROUP"
  mkdir -p "$ROOT"; chown root:root "$ROOT"; chmod 0755 "$ROOT"; check_root_path "$ROOT"
  mkdir -p "$KEYS"; chown root:root "$KEYS"; chmod 0755 "$KEYS"; check_root_path "$KEYS"

  if id -u "$login" >/dev/null 2>&1; then
    id -nG "$login" | tr ' ' '\n' | grep -qx "$GROUP" ||
      die "login '$login' exists but is not in group $GROUP: refusing to take over an unrelated account"
    retry usermod --gid "$GROUP" --home "$home" --shell "$NOLOGIN" --password '*' "$login"
  else
    retry useradd --system --gid "$GROUP" --home-dir "$home" --no-create-home --shell "$NOLOGIN" \
      --password '*' --comment "SyncHub reseller $id" "$login"
  fi
  chage --expiredate -1 "$login"   # undo a previous --disable

  # chroot: root-owned 0755; inbox: the agent writes, the hub group reads/moves (setgid);
  # outbox: the hub group writes, the agent (other) only reads.
  mkdir_as "$home" root:root 0755
  mkdir_as "$home/inbox" "$login:$HUB_GROUP" 2770
  mkdir_as "$home/outbox" "root:$HUB_GROUP" 2775

  local tmp; tmp=$(mktemp "$KEYS/.$login.XXXXXX")
  printf 'restrict %s\n' "$key" > "$tmp"; chown root:root "$tmp"; chmod 0644 "$tmp"
  mv -f "$tmp" "$KEYS/$login"
  echo "$login"
}

case "${1:-}" in
  --disable) [ $# -eq 2 ] || usage; check_id "$2"; [ "$(id -u)" = 0 ] || die "run as root"; disable "$2" ;;
  --login-name) [ $# -eq 2 ] || usage; check_id "$2"; login_name "$2" ;;
  ""|-h|--help) usage ;;
  *) [ $# -ge 1 ] && [ $# -le 2 ] || usage; check_id "$1"; [ "$(id -u)" = 0 ] || die "run as root"
     key=${2:--}; [ "$key" = - ] && key=$(cat)
     enrol "$1" "$key" ;;
esac
