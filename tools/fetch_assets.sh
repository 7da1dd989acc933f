#!/usr/bin/env bash
# Where the hub is reachable (GitHub Actions), create what ../shared/assets holds on the development machines:
# the GPT-Neo tokenizer (TinyStories-1M's) and a ~200 KB TinyStories text sample (stories separated by blank lines).
set -euo pipefail
dest=${1:-../shared/assets}
mkdir -p "$dest/tinystories"
pip install -q huggingface_hub "transformers>=4"
python - "$dest" <<'PY'
import sys
from pathlib import Path
from huggingface_hub import hf_hub_download
from transformers import AutoTokenizer
dest = Path(sys.argv[1])
AutoTokenizer.from_pretrained("roneneldan/TinyStories-1M").save_pretrained(dest / "gpt-neo-tokenizer")
text = Path(hf_hub_download("roneneldan/TinyStories", "TinyStories-valid.txt", repo_type="dataset")).read_text(encoding="utf-8")
stories = [s.strip() for s in text.split("<|endoftext|>") if s.strip()]
sample, size = [], 0
for s in stories:
    if size > 200_000: break
    sample.append(s); size += len(s)
(dest / "tinystories" / "tinystories-sample.txt").write_text("\n\n".join(sample) + "\n", encoding="utf-8")
print(f"wrote {dest}: tokenizer, {len(sample)} stories")
PY
