#!/usr/bin/env bash
# The root step of a SyncHub reseller's OpenSSH login: the Linux account and its chroot.
#
#   sftp-account add ID          create (or repair, or re-enable) the login and chroot
#   sftp-account disable ID      lock the login and end its open SFTP sessions
#   sftp-account login-name ID   print the login name, change nothing
#
# The hub runs it (`synchub reseller add|disable|enable`, through `sudo -n`, see README.md);
# the hub itself writes the login's authorized key (no root needed). Idempotent: running
# it again converges to the same state. Prints the login name on stdout. Files in inbox/
# and outbox/ are never deleted.
#
# Settings, in this order: the environment (when run directly by root), then
# sftp-account.env next to the installed script (root-owned; sudo clears the environment),
# then these defaults:
#   SYNCHUB_SFTP_ROOT=/srv/synchub/sftp     chroot parents, one dir per reseller
#   SYNCHUB_SFTP_GROUP=synchub-sftp         every reseller login is a member (sshd AllowGroups)
#   SYNCHUB_HUB_USER=synchub                the hub's user: writes outboxes
#   SYNCHUB_HUB_GROUP=synchub               the hub's group: reads and moves uploads
#   SYNCHUB_USER_PREFIX=sh-                 login = prefix + reseller id (see README.md)
set -euo pipefail
umask 0022

conf="$(dirname "$(readlink -f "$0")")/sftp-account.env"
if [ -f "$conf" ]; then
  # only KEY=value lines of the names above; the file must be root's
  [ "$(stat -c %u "$conf")" = 0 ] || { echo "sftp-account: $conf must be owned by root" >&2; exit 2; }
  while IFS='=' read -r k v; do
    case "$k" in
      SYNCHUB_SFTP_ROOT|SYNCHUB_SFTP_GROUP|SYNCHUB_HUB_USER|SYNCHUB_HUB_GROUP|SYNCHUB_USER_PREFIX)
        [ -n "${!k:-}" ] || export "$k=$v" ;;
    esac
  done < <(grep -E '^[A-Z_]+=' "$conf")
fi
ROOT=${SYNCHUB_SFTP_ROOT:-/srv/synchub/sftp}
GROUP=${SYNCHUB_SFTP_GROUP:-synchub-sftp}
HUB_USER=${SYNCHUB_HUB_USER:-synchub}
HUB_GROUP=${SYNCHUB_HUB_GROUP:-synchub}
PREFIX=${SYNCHUB_USER_PREFIX:-sh-}
NOLOGIN=/usr/sbin/nologin

die() { echo "sftp-account: $*" >&2; exit 2; }
usage() { sed -n '4,6p' "$0" >&2; exit 2; }

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
  retry usermod --lock --expiredate 1 "$login"
  pkill -KILL -u "$login" 2>/dev/null || true   # end its open SFTP sessions
  echo "$login"
}

add() {
  local id=$1 login home
  login=$(login_name "$id"); home="$ROOT/$id"
  id -u "$HUB_USER" >/dev/null 2>&1 || die "the hub user '$HUB_USER' does not exist (SYNCHUB_HUB_USER)"
  ensure_group "$GROUP"; ensure_group "$HUB_GROUP"
  mkdir -p "$ROOT"; chown root:root "$ROOT"; chmod 0755 "$ROOT"; check_root_path "$ROOT"

  # Each login has a private primary group of its own name: the outbox's group, so that
  # what the hub writes there (mode 0640) is readable by this login and no other.
  if id -u "$login" >/dev/null 2>&1; then
    id -nG "$login" | tr ' ' '\n' | grep -qx "$GROUP" ||
      die "login '$login' exists but is not in group $GROUP: refusing to take over an unrelated account"
    ensure_group "$login"
    retry usermod --gid "$login" --groups "$GROUP" --home "$home" --shell "$NOLOGIN" --password '*' "$login"
  else
    ensure_group "$login"
    retry useradd --system --gid "$login" --groups "$GROUP" --home-dir "$home" --no-create-home \
      --shell "$NOLOGIN" --password '*' --comment "SyncHub reseller $id" "$login"
  fi
  chage --expiredate -1 "$login"

  # chroot: root-owned 0755. inbox: the agent writes (sftp umask 0027), the hub group reads and
  # moves (setgid: uploads get the hub group). outbox: the hub writes, the login's group reads
  # (setgid: replies get the login's group); nobody else may even list either.
  mkdir_as "$home" root:root 0755
  mkdir_as "$home/inbox" "$login:$HUB_GROUP" 2770
  mkdir_as "$home/outbox" "$HUB_USER:$login" 2750
  echo "$login"
}

[ $# -eq 2 ] || usage
check_id "$2"
case "$1" in
  add) [ "$(id -u)" = 0 ] || die "run as root (the hub runs it through sudo -n)"; add "$2" ;;
  disable) [ "$(id -u)" = 0 ] || die "run as root (the hub runs it through sudo -n)"; disable "$2" ;;
  login-name) login_name "$2" ;;
  *) usage ;;
esac
