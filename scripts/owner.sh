# shellcheck shell=bash
# Sourced by scripts/setup, scripts/bench and scripts/test: under sudo, what they make in the
# checkout belongs to the user who ran sudo, not to root (a later `ninja -C build` or `rm -r
# results/x` as that user must work).
#
#   give_back_on_exit TOP DIR...   (DIR relative to TOP: build .deps results)
# When running as root with SUDO_UID set to another user, an EXIT trap gives SUDO_UID:SUDO_GID
# every file and directory under TOP/DIR (TOP/DIR included) that root owns and that was not
# there at the call: what this run made. What root owned before stays root's (a checkout root
# cloned keeps its owner); nothing outside the checkout changes. Symbolic links themselves are
# changed, never their targets. The caller must not `exec` its last command (the trap
# would not run); it ends with `exit`, and an interrupt still reaches the trap.
give_back_on_exit()
{
	local top=$1
	shift
	[ "$(id -u)" = 0 ] && [ -n "${SUDO_UID:-}" ] && [ "${SUDO_UID}" != 0 ] || return 0
	_owner_top=$top
	_owner_dirs=("$@")
	_owner_before=$(mktemp "${TMPDIR:-/tmp}/e4mext-owner.XXXXXX")
	_owner_root_files >"$_owner_before"
	_owner_gid=${SUDO_GID:-$(id -g "$SUDO_UID" 2>/dev/null || echo "$SUDO_UID")}
	trap _owner_give_back EXIT
}

# Every path under the directories that root owns, NUL-separated and sorted.
_owner_root_files()
{
	local dir
	for dir in "${_owner_dirs[@]}"; do
		dir="$_owner_top/$dir"
		[ -e "$dir" ] || [ -L "$dir" ] || continue
		find "$dir" -xdev -user 0 -print0
	done | LC_ALL=C sort -z
}

_owner_give_back()
{
	local status=$?
	LC_ALL=C comm -z -13 "$_owner_before" <(_owner_root_files) | xargs -0 -r chown -h "$SUDO_UID:$_owner_gid" ||
		echo "$(basename "$0"): could not give what it made in $_owner_top back to user $SUDO_UID (it stays root's)" >&2
	rm -f "$_owner_before"
	return $status
}
