# shellcheck shell=bash
# Sourced by scripts/setup and scripts/package-in-chroot: this machine's own Debian mirror, read
# from its apt sources (no mirror is typed into e4mext's scripts).

# The URI (and keyring file, if any) of this machine's first enabled 'deb' entry for SUITE, as
# "URI|KEYRING": deb822 (*.sources) or one-line (*.list) entries. No mirror is typed in here.
machine_deb_entry() {
  local want=$1 f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v want="$want" 'BEGIN { RS = ""; FS = "\n" }
      { types = uris = suites = signed = ""; enabled = 1
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^#/ || $i !~ /^[A-Za-z-]+:/) continue
          key = $i; sub(/:.*/, "", key); val = $i; sub(/^[^:]*:[ \t]*/, "", val)
          if (key == "Types") types = val; else if (key == "URIs") uris = val
          else if (key == "Suites") suites = val; else if (key == "Signed-By") signed = val
          else if (key == "Enabled" && val == "no") enabled = 0
        }
        if (enabled && (" " types " ") ~ / deb / && (" " suites " ") ~ (" " want " ")) {
          split(uris, u, " "); if (signed !~ /^\//) signed = ""; print u[1] "|" signed; found = 1; exit
        } }
      END { exit !found }' "$f" && return 0
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v want="$want" '$1 == "deb" {
        signed = ""; i = 2
        if ($2 ~ /^\[/) { for (; i <= NF && $i !~ /\]$/; i++) if ($i ~ /signed-by=/) { signed = $i; sub(/.*signed-by=/, "", signed) }
                          if ($i ~ /signed-by=/) { signed = $i; sub(/.*signed-by=/, "", signed) }; i++ }
        sub(/\]$/, "", signed)
        if ($(i + 1) == want) { print $i "|" signed; found = 1; exit } }
      END { exit !found }' "$f" && return 0
  done
  return 1
}
