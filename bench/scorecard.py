"""Scorecard benchmark (not a test): what scoring the original note's transformer setting costs, and how far the
Krylov eigenvectors of the baselines have converged.

Scores a saved transformer run (default: nbs/results/transformer, the shipped stand-in's 10 features on
blocks.4.attn.W_K) against a second fit from another seed (--compare), as `sparse-eigendecomp evaluate` does, and times
each part on this machine: preparing the 200 held-out contexts (resid_pre and output Hessians), the Hutchinson traces,
the eig and heads baselines (block Lanczos, two seeds each), and the feature values of every method on all held-out
tokens. Then the eig baseline again with 4, 8 and 16 Krylov blocks: its eigenvalues and relative residuals.
Usage: python bench/scorecard.py [--run-dir DIR] [--compare DIR] [--trace-contexts 16] [--probes 64]
Last lines: `scorecard_transformer_s=<x>` (held-out preparation included; target < 120) and `eig_residual_8=<x>`.
"""
import argparse, json, time
from pathlib import Path
import torch
from sparse_eigendecomp.language_model import load_language_model, repository_data
from sparse_eigendecomp.architectures import ResidualTail
from sparse_eigendecomp.params import select_params
from sparse_eigendecomp.eigenmodel import EigenModel
from sparse_eigendecomp.scorecard import SampleHessians, sample_traces, eig_directions, head_directions, part_masks
from sparse_eigendecomp.transformer import load_contexts, prepare_tokens, transformer_scorecard, keep_freed_memory, start_at_layer_of


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run-dir", default="nbs/results/transformer")
    ap.add_argument("--compare", default="nbs/results/transformer_seed1", help="a run with --seed 1 (for stability)")
    ap.add_argument("--trace-contexts", type=int, default=16)
    ap.add_argument("--probes", type=int, default=64)
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, glibc keep-freed-memory: {keep_freed_memory()}")
    a = json.loads((Path(args.run_dir) / "run.json").read_text())["arguments"]
    lm, tok = load_language_model(a["model"])
    split = load_contexts(repository_data("tinystories/tinystories-1000.txt"), tok, a["train_contexts"], a["held_out_contexts"], a["ctx_len"])
    tail = ResidualTail(lm, start_at_layer_of(lm, select_params(lm, a["params"])))
    em = EigenModel.load(Path(args.run_dir) / "eigenmodel", tail)
    second = EigenModel.load(Path(args.compare) / "eigenmodel", tail).U.detach()

    held, t_prepare = timed(lambda: prepare_tokens(tail, lm, split.held_out))
    sc, t_score = timed(lambda: transformer_scorecard(em, held, second=second, trace_contexts=args.trace_contexts, probes=args.probes))
    total = t_prepare + t_score
    print(f"held-out preparation {t_prepare:.1f}s ({held.n_tokens} tokens), scoring {t_score:.1f}s, total {total:.1f}s")
    print(sc.table({"entropy": "top-20 token entropy (bits)"}))

    # the parts, on the same trace contexts
    idx = torch.linspace(0, len(held) - 1, args.trace_contexts).round().long()
    h = SampleHessians(em, held.resid, held.output_hessian)
    ht = h.subset(idx)
    traces, t_traces = timed(lambda: sample_traces(ht, args.probes))
    _, t_values = timed(lambda: h.values(em.U.detach()))
    _, t_eig = timed(lambda: eig_directions(ht, em.n_features, traces, 8))
    _, t_heads = timed(lambda: head_directions(ht, em.n_features, traces, part_masks(em), 8))
    print(f"parts: traces ({args.probes} probes, {traces.values.numel()} tokens) {t_traces:.1f}s; values of 10 directions on all "
          f"held-out tokens {t_values:.1f}s (x4 methods); eig, 8 Krylov blocks {t_eig:.1f}s (x2 seeds); heads {t_heads:.1f}s (x2 seeds)")
    for iterations in (4, 8, 16):
        (U, e), t = timed(lambda: eig_directions(ht, em.n_features, traces, iterations))
        print(f"eig with {iterations:2d} Krylov blocks ({t:.1f}s): eigenvalues {[round(v, 4) for v in e.values[0].tolist()]}, "
              f"largest relative residual {e.residuals.max():.2e}")
        if iterations == 8: residual_8 = e.residuals.max().item()
    print(f"scorecard_transformer_s={total:.1f}")
    print(f"eig_residual_8={residual_8:.2e}")


if __name__ == "__main__":
    main()
