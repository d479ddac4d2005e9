#!/usr/bin/env bash
# The sensitivity table of REPRODUCE.md §6: CLOT with the defaults, with the released choices
# (`--choice released`), then with each alternative of each reconstruction choice (one at a
# time, as `clot train --choices` lists them), on one
# activity over five seeds, each run by `clot reproduce --choice …`; prints a Markdown table of
# activity- and video-level MoF / F1 / mIoU (mean ± std over seeds, percent).
#
# Sensitivity, not selection: the defaults are argued from the sources (Documentation/Choices.md).
#
#   swift build -c release --product clot
#   scripts/sensitivity.sh [DATA] [OUTPUT] [ACTIVITY] [SEEDS]
#
# Defaults: DATA ../shared/data, OUTPUT runs/sensitivity, ACTIVITY coffee (Breakfast),
# SEEDS 0,1,2,3,4. Each configuration has its own folder under OUTPUT, so a second call resumes
# (finished runs are skipped) and only reprints the table. Needs bash, awk and sed.
set -euo pipefail

data=${1:-../shared/data}
output=${2:-runs/sensitivity}
activity=${3:-coffee}
seeds=${4:-0,1,2,3,4}
clot=${CLOT:-.build/release/clot}
[ -x "$clot" ] || { echo "sensitivity.sh: $clot not found; run: swift build -c release --product clot" >&2; exit 1; }
export OPENBLAS_NUM_THREADS=1

# "NAME VALUE" for every listed alternative: the lines read `NAME = DEFAULT  (also: A, B)  — source`.
alternatives() {
    "$clot" train --choices | sed -n 's/^\([a-z0-9-]*\) = [^ ]*  (also: \([^)]*\)).*/\1 \2/p' |
        while read -r name values; do
            [ "$values" = "none" ] && continue
            for value in ${values//,/ }; do echo "$name $value"; done
        done
}

# Runs one configuration (extra arguments: --choice …) into OUTPUT/LABEL; its results.md is the record.
run() {
    local label=$1; shift
    "$clot" reproduce --data "$data" --datasets Breakfast --activities "$activity" --methods clot \
        --seeds "$seeds" --output "$output/$label" "$@" > /dev/null
}

# The clot row of one level ("Table 1" activity, "Table 2" video) of OUTPUT/LABEL/results.md:
# MoF | F1 | mIoU.
cells() {
    awk -F'|' -v table="$2" '
        /^## / { inside = index($0, table) > 0 }
        inside && $3 ~ /^ clot/ { gsub(/^ +| +$/, "", $6); gsub(/^ +| +$/, "", $9); gsub(/^ +| +$/, "", $12)
                                   printf "%s | %s | %s", $6, $9, $12; exit }' "$output/$1/results.md"
}

start=$(date +%s)
labels=("defaults" "released")
run defaults
run released --choice released
while read -r name value; do
    label="$name=$value"
    labels+=("$label")
    run "$label" --choice "$label"
done < <(alternatives)

echo "| choice | activity MoF | activity F1 | activity mIoU | video MoF | video F1 | video mIoU |"
echo "|---|---|---|---|---|---|---|"
for label in "${labels[@]}"; do
    echo "| $label | $(cells "$label" "Table 1") | $(cells "$label" "Table 2") |"
done
echo
echo "Breakfast $activity, seeds $seeds, $("$clot" train --choices | wc -l) choices; $(( $(date +%s) - start )) s."
