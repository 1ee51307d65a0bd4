#!/usr/bin/env bash
# `npm run train`: the embedded detector from scratch, reproducibly (fixed seeds), on this 2-core machine.
#   1. features of every corpus text, computed by the project's TypeScript (src/core/embedded/features.ts)
#   2. train on `train`, select on `dev`, calibrate (class-balanced) on `dev`, export ONNX,
#      leave-one-generator-family-out and leave-one-domain-out retrains   (Debian python3-torch / -onnx)
#   2b. the judging policy (scripts/train/policy.ts): corpus dev + the tuning packages of Debian's manuals,
#      scored by the built extension (npm run eval:pages; needs Chromium and the manuals: NO_PAGES=1 skips them)
#   3. evaluate the exported model on `test` through the TypeScript detector (npm run eval), and on the
#      held-out manuals (npm run eval:pages)
#   4. refit the embedded + RoBERTa combination: out-of-fold scores of the anchored train texts, then
#      scripts/calibrate-combined.ts --write (models/registry.json `combined`); skipped with QUICK=1
# Corpus: $TELLTALE_DATA or ../shared/data/mgt. Output: models/embedded/{model.onnx,meta.json,logo-lodo.json,eval.json}.
# Options: QUICK=1 skips the leave-one-out retrains; NO_PAGES=1 fits the policy on the corpus alone; PYTHON overrides the interpreter (default /usr/bin/python3);
# TELLTALE_MODELS=DIR writes DIR/embedded instead of models/embedded (eval then reads it from there too).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-/usr/bin/python3}"
OUT="${TELLTALE_MODELS:-models}/embedded"
mkdir -p "$OUT"
start=$(date +%s)
echo "== 1/4 features (TypeScript)"
npx tsx scripts/train/dump-features.ts .cache/embedded
echo "== 2/4 train, calibrate, export ($PYTHON)"
"$PYTHON" scripts/train/train.py --dump .cache/embedded --out "$OUT" ${QUICK:+--quick}
echo "== 2b/4 judging policy: corpus dev + the tuning manuals as the built extension scores them"
if [ -n "${NO_PAGES:-}" ] || [ -n "${TELLTALE_MODELS:-}" ]; then
  npx tsx scripts/train/policy.ts --no-pages
else
  # The policy needs a loadable meta.json first: a corpus-only one, then the pages' scores under the new calibration.
  npx tsx scripts/train/policy.ts --no-pages
  npx tsx scripts/build.ts
  npx tsx scripts/eval-pages.ts --split tuning --quiet --out .cache/eval-pages/tuning.json
  npx tsx scripts/train/policy.ts
fi
echo "== 3/4 evaluate the exported model on test (onnxruntime-web, Node)"
npx tsx scripts/eval.ts
if [ -z "${NO_PAGES:-}" ] && [ -z "${TELLTALE_MODELS:-}" ]; then
  echo "== 3b/4 real pages: the held-out manuals, through the built extension"
  npx tsx scripts/build.ts
  npx tsx scripts/eval-pages.ts --quiet
  npx tsx scripts/build.ts
fi
if [ -z "${QUICK:-}" ] && [ -z "${TELLTALE_MODELS:-}" ]; then
  echo "== 4/4 refit the embedded + RoBERTa combination"
  "$PYTHON" scripts/train/anchor_oof.py --dump .cache/embedded --out "$OUT/anchor-oof.json"
  npx tsx scripts/calibrate-combined.ts --write
fi
echo "== done in $(( $(date +%s) - start )) s"
