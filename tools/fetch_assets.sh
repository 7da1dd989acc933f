#!/usr/bin/env bash
# Where the hub is reachable (GitHub Actions), create what ../shared/assets holds on the development machines:
# the GPT-Neo tokenizer (TinyStories-1M's), the first 1000 stories of the TinyStories training set in the dataset's own
# format (stories separated by a line <|endoftext|>), the older blank-line sample, and the real model's reference case.
set -euo pipefail
dest=${1:-../shared/assets}
mkdir -p "$dest/tinystories" "$dest/tinystories-1m-reference"
pip install -q huggingface_hub datasets "transformers>=4"
python - "$dest" <<'PY'
import hashlib, json, sys
from pathlib import Path
import torch
from datasets import load_dataset
from huggingface_hub import hf_hub_download
from transformers import AutoModelForCausalLM, AutoTokenizer
dest = Path(sys.argv[1])
tokenizer = AutoTokenizer.from_pretrained("roneneldan/TinyStories-1M")
tokenizer.save_pretrained(dest / "gpt-neo-tokenizer")
stories = [row["text"].strip() for _, row in zip(range(1000), load_dataset("roneneldan/TinyStories", split="train", streaming=True))]
path = dest / "tinystories" / "tinystories-1000.txt"
path.write_text("\n<|endoftext|>\n".join(stories) + "\n", encoding="utf-8")
digest = hashlib.sha256(path.read_bytes()).hexdigest()
if not digest.startswith("7076809d515280d2"):  # the development machines' copy, which the shipped stand-in was trained on
    print(f"warning: {path} differs from the development machines' copy (sha256 {digest[:16]}...)", file=sys.stderr)
text = Path(hf_hub_download("roneneldan/TinyStories", "TinyStories-valid.txt", repo_type="dataset")).read_text(encoding="utf-8")
sample, size = [], 0
for s in (s.strip() for s in text.split("<|endoftext|>") if s.strip()):
    if size > 200_000: break
    sample.append(s); size += len(s)
(dest / "tinystories" / "tinystories-sample.txt").write_text("\n\n".join(sample) + "\n", encoding="utf-8")
model = AutoModelForCausalLM.from_pretrained("roneneldan/TinyStories-1M").eval()
(dest / "tinystories-1m-reference" / "config.json").write_text(model.config.to_json_string())
ids = tokenizer("In a shocking finding, scientists discovered a herd of unicorns living in a remote, previously unexplored "
                "valley, in the Andes Mountains. Even more surprising to the researchers was the fact that the unicorns "
                "spoke perfect English.").input_ids
with torch.no_grad(): out = model(torch.tensor([ids]), output_hidden_states=True)
(dest / "tinystories-1m-reference" / "testcase.json").write_text(json.dumps(dict(
    input_ids=ids, hidden_states=out.hidden_states[-1][0, -1].tolist(), logits=out.logits[0, -1].tolist())))
print(f"wrote {dest}: tokenizer, {len(stories)} training stories, {len(sample)}-story sample, the reference case")
PY
