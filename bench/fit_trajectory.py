"""The objective along one transformer fit (not a test): how far it moves between epochs, and why a seed fails the plateau rule.

The note's setting on the shipped stand-in (10 features of blocks.4.attn.W_K, 500 training contexts of 64 tokens,
8 epochs, `TRANSFORMER_FIT`), one seed. Every --every steps, L1 + λ·L2 of the current rows on 128 fixed training
contexts (the first 128 of the seed's own order, as the fit's plateau samples are drawn; their traces are estimated
here with the same number of probes, so the figures are close to but not bit for bit the fit's `epoch_objectives`).
Prints one line per measurement (step, epoch, learning rate, objective on the fixed contexts, the step's batch
high-curvature loss), then the fit's own epoch objectives, its swaps and the last epoch's change.
Usage: python bench/fit_trajectory.py [--seed 1] [--every 4] [--options '{"lr_schedule": "constant"}']
"""
import argparse, json, time
import torch
from sparse_eigendecomp.language_model import load_language_model, repository_data
from sparse_eigendecomp.optimizer import fit, fit_config, objective, sample_scale, scheduled_lr
from sparse_eigendecomp.transformer import TRANSFORMER_FIT, keep_freed_memory, load_contexts, prepare_tokens, token_eigenmodel


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="models/tinystories-standin")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--every", type=int, default=4, help="steps between measurements")
    ap.add_argument("--options", default="{}", help="FitConfig fields on top of TRANSFORMER_FIT, as JSON")
    args = ap.parse_args()
    keep_freed_memory()
    model, tok = load_language_model(args.model)
    split = load_contexts(repository_data("tinystories/tinystories-1000.txt"), tok, 500, 200, 64)
    em = token_eigenmodel(model, "blocks.4.attn.W_K", 10, args.seed)
    train = prepare_tokens(em.model, model, split.train)
    c = fit_config(TRANSFORMER_FIT, seed=args.seed, **json.loads(args.options))
    idx = torch.randperm(len(train.resid), generator=torch.Generator().manual_seed(c.seed))[:c.plateau_samples]
    x, m = train.resid[idx], train.output_hessian[idx]
    scale = sample_scale(em, x, m, c.trace_probes) if c.normalize == "trace" else None
    per_epoch = -(-len(train.resid) // c.batch_size)
    steps, taken = c.epochs * per_epoch, []

    def measure(em, record):
        taken.append(record)
        n = len(taken)
        if n % args.every == 0 or n == steps:
            value = objective(em, x, c.lam, output_hessian=m, power=c.power, scale=scale)
            print(f"step {n:4d} epoch {(n - 1) // per_epoch} lr {scheduled_lr(c, n - 1, steps):.4f} "
                  f"objective {value:.4f} batch_high_curvature {record['high_curvature']:.4f}", flush=True)

    t0 = time.perf_counter()
    history = fit(em, train.resid, c, output_hessian=train.output_hessian, progress=False, callbacks=[measure])
    print(f"fit with measurements {time.perf_counter() - t0:.0f}s")
    print("epoch objectives", [round(v, 4) for v in history.epoch_objectives])
    print("swaps (epoch, row, before, after)", [(e, r, round(b, 4), round(a, 4)) for e, r, b, a in history.replaced])
    print(f"last_epoch_change={history.epoch_change():.4f} plateaued={history.plateaued()}")


if __name__ == "__main__":
    main()
