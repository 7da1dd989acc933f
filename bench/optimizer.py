"""Optimizer benchmark (not a test): seconds per epoch of `fit`.

- TMS eigenmodel: 5 features on W and b (15 parameters), 1000 sparse samples, batch 64.
- TinyStories-1M-shaped random GPT-Neo (8 layers, d_model 64, 16 heads, vocab 50257): 10 features on
  blocks.4.attn.W_K (4096 weights), 32 contexts x 64 tokens, batch 8 contexts, KL divergence.
Usage: python bench/optimizer.py [--epochs N]
"""
import argparse, sys, time
from pathlib import Path
import torch

sys.path.insert(0, str(Path(__file__).parent))
from curvature import neo_setup  # the same TinyStories-1M-shaped model as the curvature benchmark
from sparse_eigendecomp.eigenmodel import EigenModel
from sparse_eigendecomp.optimizer import fit
from sparse_eigendecomp.tms import train_tms, sparse_features


def seconds_per_epoch(em, data, epochs, **kw):
    t0 = time.perf_counter()
    fit(em, data, epochs=epochs, progress=False, **kw)
    return (time.perf_counter() - t0) / epochs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=2)
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    x = sparse_features(1000, generator=1)
    tms_s = seconds_per_epoch(EigenModel(train_tms(seed=0), ["W", "b"], 5), x, args.epochs, batch_size=64)
    print(f"TMS 5-2, 5 features, 1000 samples, batch 64: {tms_s:.3f} s/epoch")
    model, _, _ = neo_setup()
    tokens = torch.randint(0, 50257, (32, 64), generator=torch.Generator().manual_seed(2))
    em = EigenModel(model, "blocks.4.attn.W_K", 10, divergence="kl")
    tr_s = seconds_per_epoch(em, tokens, max(1, args.epochs // 2), batch_size=8)
    print(f"GPT-Neo 8x64 (vocab 50257), W_K 4096 weights, 10 features, 32x64 tokens, batch 8: {tr_s:.1f} s/epoch "
          f"({32 * 64 / tr_s:.0f} tokens/s)")
    print(f"tms_epoch_s={tms_s:.3f}")
    print(f"transformer_epoch_s={tr_s:.1f}")


if __name__ == "__main__":
    main()
