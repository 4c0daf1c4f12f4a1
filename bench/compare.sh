#!/usr/bin/env bash
# Speed of `postlint check` side by side with Postfix's own `postconf -n`, on the same machine
# in one run:
#   1. Debian's stock configuration (main.cf as Debian's postinst writes it, stock master.cf);
#   2. a generated ~24 MB main.cf: the stock settings plus `smtpd_restriction_classes` naming
#      CLASSES classes, each defined as
#      `check_client_access cidr:/etc/postfix/cN.cidr, permit_mynetworks, reject_unauth_destination`.
# Prints hyperfine's tables, the ratios (postlint / postconf; the target is <= 0.10 on the
# generated file and <= 1.0 on the stock one) and peak memory from /usr/bin/time -v; then the
# whole shared corpus checked in one call (fleet mode).
#
# Needs Debian's postfix (postconf), hyperfine and GNU time:
#   apt-get install -y postfix hyperfine time
# Usage: bench/compare.sh [CLASSES]   (default 200000); POSTLINT=path overrides the binary.
set -euo pipefail

classes=${1:-200000}
root=$(cd "$(dirname "$0")/.." && pwd)
postconf=${POSTCONF:-/usr/sbin/postconf}
for tool in "$postconf" hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing (apt-get install -y postfix hyperfine time)" >&2; exit 2; }
done
if [ -z "${POSTLINT:-}" ]; then
    (cd "$root" && cargo build --release -q -p postlint_cli)
    POSTLINT=$root/target/release/postlint
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/stock" "$work/big"

# Debian's stock main.cf: what postfix's postinst writes from the package's templates on a
# non-interactive install ("Internet Site", host name mail.example.org).
stock_main() {
    if [ -f /usr/share/postfix/main.cf.debian ]; then
        cat /usr/share/postfix/main.cf.debian /usr/share/postfix/main.cf.tls
    fi
    cat <<'CF'

smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
myhostname = mail.example.org
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
mydestination = $myhostname, mail.example.org, localhost.localdomain, , localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = all
inet_protocols = all
CF
}
stock_main >"$work/stock/main.cf"
cp /usr/share/postfix/master.cf.dist "$work/stock/master.cf"
cp "$work/stock/master.cf" "$work/big/master.cf"
{
    stock_main
    awk -v n="$classes" 'BEGIN {
        printf "smtpd_restriction_classes ="
        for (i = 0; i < n; i++) printf "%s c%d", (i ? "," : ""), i
        printf "\n"
        for (i = 0; i < n; i++)
            printf "c%d = check_client_access cidr:/etc/postfix/c%d.cidr, permit_mynetworks, reject_unauth_destination\n", i, i
    }'
} >"$work/big/main.cf"
# Written out before timing, so that neither tool competes with the write-back of 23 MB.
sync
size=$(stat -c %s "$work/big/main.cf")
echo "generated main.cf: $size bytes ($classes classes); postlint: $POSTLINT"

# Both tools must accept the inputs before their speed means anything.
"$postconf" -c "$work/big" -n >/dev/null
set +e
"$POSTLINT" check "$work/big" >/dev/null; rc=$?
set -e
[ "$rc" -le 1 ] || { echo "compare.sh: postlint check failed ($rc)" >&2; exit 2; }

mean() { # hyperfine JSON export -> mean seconds of command $2
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["mean"])' "$1" "$2"
}
peak_kb() { # peak resident set of one run of "$@", in KiB
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}

for case in stock big; do
    dir=$work/$case
    # A check of the stock configuration takes milliseconds, and single runs on a shared
    # machine vary by a millisecond or two: many runs, so that the means compare. Each tool's
    # runs follow one another after warm-up runs, as hyperfine times commands: a run that
    # follows an idle spell of the machine's cores (as one right after a single-threaded
    # postconf run does) starts on cold cores and takes longer.
    runs=200 warmup=20; [ "$case" = big ] && runs=10 warmup=3
    echo
    echo "== $case: $(stat -c %s "$dir/main.cf") bytes main.cf"
    hyperfine -N --warmup "$warmup" --runs "$runs" -i --export-json "$work/$case.json" \
        -n "postconf -n" "$postconf -c $dir -n" \
        -n "postlint check" "$POSTLINT check $dir"
    pc=$(mean "$work/$case.json" 0)
    pl=$(mean "$work/$case.json" 1)
    mem_pc=$(peak_kb "$postconf" -c "$dir" -n)
    mem_pl=$(peak_kb "$POSTLINT" check "$dir")
    python3 - "$case" "$pc" "$pl" "$mem_pc" "$mem_pl" <<'PY'
import sys
case, pc, pl, mpc, mpl = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
target = 0.10 if case == "big" else 1.0
ratio = pl / pc
print(f"RESULT {case}: postconf -n {pc*1000:.1f} ms, postlint check {pl*1000:.1f} ms, "
      f"ratio {ratio:.3f} (target <= {target}) {'OK' if ratio <= target else 'OVER'}; "
      f"peak RSS postconf {mpc/1024:.1f} MiB, postlint {mpl/1024:.1f} MiB")
PY
done

# The whole corpus (../shared/corpus, or $POSTLINT_CORPUS) in one call: fleet mode.
corpus=${POSTLINT_CORPUS:-$root/../shared/corpus}
if [ -f "$corpus/ORACLE.md" ]; then
    dirs=()
    for d in "$corpus"/*/ "$corpus"/templated/*/; do
        { [ -f "$d/main.cf" ] || [ -f "$d/master.cf" ]; } && dirs+=("${d%/}")
    done
    echo
    echo "== corpus: ${#dirs[@]} configuration directories in one call"
    hyperfine -N --warmup 2 --runs 10 -i --export-json "$work/corpus.json" \
        -n "postlint check (corpus)" "$POSTLINT check --format json --exit-zero ${dirs[*]}"
    mem=$(peak_kb "$POSTLINT" check --format json --exit-zero "${dirs[@]}")
    echo "RESULT corpus: ${#dirs[@]} directories, $(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][0]["mean"]*1000, 1))' "$work/corpus.json") ms, peak RSS $((mem / 1024)) MiB"
else
    echo "(no corpus at $corpus: corpus timing skipped)"
fi
