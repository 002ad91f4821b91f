# Sourced by bench/ab-*.sh: the arguments they share.
#
#   ab_arguments NAME DEFAULT_COUNT "$@"
#
# sets `root` (the repository), `a` and `b` (the two binaries, absolute and
# executable), `count` (the third argument or DEFAULT_COUNT) and `rest` (an
# array of the arguments after it). Without two binaries it prints the
# calling script's header comment as its usage and exits 2.
ab_arguments() {
  local name="$1" default_count="$2"
  shift 2
  if [[ $# -lt 2 ]]; then
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 2
  fi
  root="$(cd "$(dirname "$0")/.." && pwd)"
  a="$(ab_absolute "$1")"
  b="$(ab_absolute "$2")"
  count="${3:-$default_count}"
  shift $(( $# >= 3 ? 3 : 2 ))
  rest=("$@")
  local binary
  for binary in "$a" "$b"; do
    [[ -x "$binary" ]] || { echo "$name: $binary is not an executable" >&2; exit 2; }
  done
}

ab_absolute() { [[ "$1" = /* ]] && echo "$1" || echo "$PWD/$1"; }
