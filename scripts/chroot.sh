# shellcheck shell=bash
# Sourced by scripts/package-in-chroot and scripts/setup-in-chroot: fresh Debian chroots made on this
# machine from its own Debian mirror (apt-sources.sh: no mirror is typed into e4mext), whose mounts
# are undone when the script ends, fails or is interrupted.
#
#   chroot_init NAME SUITE   as root: the mirror, mmdebstrap (apt-get installs it when missing), a
#                            scratch directory and the traps; sets chroot_mirror, chroot_scratch
#   chroot_base [--refresh]  the base chroot of SUITE, a tarball cached in ~/.cache/e4mext/chroot
#                            (mmdebstrap --variant=buildd: apt and build-essential; its log in
#                            $chroot_logs, default the scratch directory); sets chroot_base
#   fresh_chroot DIR         the base unpacked into DIR, /proc, /dev and /sys bound, resolv.conf copied,
#                            dpkg without fsync (force-unsafe-io)
#   chroot_bind SOURCE DIR   SOURCE bound on DIR (inside a chroot), unbound at the end
#   in_chroot ROOT CMD...    chroot ROOT CMD..., in a process group of its own: an interrupt stops
#                            that group and waits for it before the mounts are undone
# The caller defines say and die (its own name in the messages).

chroot_mounts=()
chroot_step=

chroot_init()
{
	local name=$1
	chroot_suite=$2
	[ "$(id -u)" = 0 ] || die "needs root (chroot and mounts): run it with sudo"
	[ -n "$chroot_suite" ] || die "no VERSION_CODENAME in /etc/os-release: name the suite with --suite"
	if ! command -v mmdebstrap >/dev/null; then
		say "installing mmdebstrap (apt-get install mmdebstrap)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap >/dev/null ||
			die "apt-get install mmdebstrap failed: install it and run $name again"
	fi
	# shellcheck source=scripts/apt-sources.sh
	source "$top/scripts/apt-sources.sh"
	# The URI of this machine's own 'deb' entry for the suite; for another suite (trixie on a
	# bookworm machine) the same mirror as the machine's own suite.
	local entry
	entry=$(machine_deb_entry "$chroot_suite" || machine_deb_entry "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")") ||
		die "no enabled Debian 'deb' entry in /etc/apt/sources.list[.d]: cannot tell which mirror to make the chroot from"
	chroot_mirror=${entry%%|*}
	chroot_scratch=$(mktemp -d "${TMPDIR:-/tmp}/e4mext-$name.XXXXXX")
	trap _chroot_cleanup EXIT
	trap _chroot_stop_step INT TERM
}

chroot_base()
{
	local cache="${XDG_CACHE_HOME:-$HOME/.cache}/e4mext/chroot"
	chroot_base="$cache/$chroot_suite-buildd.tar"
	mkdir -p "$cache"
	if [ "${1:-}" = --refresh ] || [ ! -s "$chroot_base" ]; then
		say "making the base chroot $chroot_base (mmdebstrap --variant=buildd $chroot_suite $chroot_mirror)"
		# (mmdebstrap takes the format from the name: .tar)
		local log="${chroot_logs:-$chroot_scratch}/mmdebstrap.log"
		mmdebstrap --variant=buildd "$chroot_suite" "$cache/$chroot_suite-buildd.new.tar" "deb $chroot_mirror $chroot_suite main" \
			>"$log" 2>&1 || {
			tail -n 20 "$log" >&2
			die "mmdebstrap $chroot_suite failed: $log (its last lines above)"
		}
		mv "$cache/$chroot_suite-buildd.new.tar" "$chroot_base"
	fi
}

fresh_chroot()
{
	mkdir -p "$1"
	tar --numeric-owner -xf "$chroot_base" -C "$1"
	cp /etc/resolv.conf "$1/etc/resolv.conf"
	# a throwaway chroot: dpkg need not sync every file it unpacks (as mmdebstrap and sbuild do)
	echo force-unsafe-io >"$1/etc/dpkg/dpkg.cfg.d/e4mext-unsafe-io"
	mount -t proc proc "$1/proc" && chroot_mounts+=("$1/proc")
	mount --rbind /dev "$1/dev" && mount --make-rslave "$1/dev" && chroot_mounts+=("$1/dev")
	mount --rbind /sys "$1/sys" && mount --make-rslave "$1/sys" && chroot_mounts+=("$1/sys")
}

chroot_bind()
{
	mkdir -p "$2"
	mount --bind "$1" "$2" && chroot_mounts+=("$2")
}

in_chroot()
{
	setsid chroot "$@" &
	chroot_step=$!
	wait "$chroot_step"
	local status=$?
	chroot_step=
	return $status
}

_chroot_cleanup()
{
	local status=$? i
	for ((i = ${#chroot_mounts[@]} - 1; i >= 0; i--)); do umount -l "${chroot_mounts[$i]}" 2>/dev/null || true; done
	if findmnt -rn -o TARGET | grep -qF "$chroot_scratch"; then
		say "something is still mounted under $chroot_scratch; not removing it"
	else
		rm -rf --one-file-system "$chroot_scratch"
	fi
	return $status
}

_chroot_stop_step()
{
	[ -z "$chroot_step" ] || {
		kill -TERM -- "-$chroot_step" 2>/dev/null
		wait "$chroot_step" 2>/dev/null
	}
	exit 130
}
