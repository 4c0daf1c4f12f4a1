#!/bin/sh
# Seeds the cargo-fuzz corpora from the shared corpus and the test fixtures.
#
#   fuzz/seed.sh            # corpus from ${POSTLINT_CORPUS:-../shared/corpus} (relative to the repo root)
#
# Writes fuzz/corpus/<target>/, which is git-ignored: the shared corpus is third-party data and
# must never be committed. Files are named by content hash, so re-running is idempotent and
# identical files are stored once.
set -eu

fuzz_dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname -- "$fuzz_dir")
corpus=${POSTLINT_CORPUS:-$root/../shared/corpus}
fixtures=$root/tests/fixtures

main_out=$fuzz_dir/corpus/parse_main_cf
master_out=$fuzz_dir/corpus/parse_master_cf
expansion_out=$fuzz_dir/corpus/expansion
mkdir -p "$main_out" "$master_out" "$expansion_out"

# copy_into DIR FILE: stores FILE in DIR under its SHA-1.
copy_into() {
    sum=$(sha1sum < "$2" | cut -d' ' -f1)
    cp -- "$2" "$1/$sum"
}

sources=""
for dir in "$corpus" "$fixtures"; do
    if [ -d "$dir" ]; then
        sources="$sources $dir"
    else
        echo "seed.sh: warning: $dir not found, skipped" >&2
    fi
done

if [ -z "$sources" ]; then
    echo "seed.sh: no corpus and no fixtures found; nothing to seed" >&2
    exit 1
fi

count_main=0
count_master=0
count_values=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086 # $sources is a space-separated list of existing directories
find $sources -type f \( -name main.cf -o -name master.cf \) > "$tmp/files"
while IFS= read -r file; do
    case $file in
        */main.cf)
            copy_into "$main_out" "$file"
            count_main=$((count_main + 1))
            # Every value that uses `$` seeds the expansion target, one value per file.
            grep -a '^[^#[:space:]][^=]*=.*\$' "$file" | sed 's/^[^=]*=[[:space:]]*//' >> "$tmp/values" || true
            ;;
        */master.cf)
            copy_into "$master_out" "$file"
            count_master=$((count_master + 1))
            ;;
    esac
    # Both parsers share the line grammar: each target also gets the other file kind.
    case $file in
        */main.cf) copy_into "$master_out" "$file" ;;
        */master.cf) copy_into "$main_out" "$file" ;;
    esac
done < "$tmp/files"

if [ -f "$tmp/values" ]; then
    sort -u "$tmp/values" > "$tmp/values.sorted"
    while IFS= read -r value; do
        printf '%s' "$value" > "$tmp/value"
        copy_into "$expansion_out" "$tmp/value"
        count_values=$((count_values + 1))
    done < "$tmp/values.sorted"
fi

echo "seed.sh: $count_main main.cf, $count_master master.cf, $count_values \$-values"
for target in parse_main_cf parse_master_cf expansion; do
    echo "  corpus/$target: $(find "$fuzz_dir/corpus/$target" -type f | wc -l) files"
done
