"""Transformer experiment benchmark (not a test): the original note's setting end to end, and what the layer split buys.

1. The full experiment (`transformer_experiment`: 10 features on blocks.4.attn.W_K, 500 training contexts x 64 tokens,
   200 held-out contexts from the 100 held-out stories of tinystories-1000.txt, 8 epochs) on TinyStories-1M when a local
   copy is given (--model DIR), else on the shipped offline stand-in (models/tinystories-standin): time and tokens/s on
   this machine, and the stand-in's held-out loss.
2. One training pass (feature values + gradient w.r.t. U, 10 directions, 16 contexts x 64 tokens) four ways, as ratios:
   the generic kernel (forward-mode AD, algorithm 'ggn') on the whole model (KL on the logits), on the tail from layer 4
   with the readout KL, and on the tail with the precomputed per-token output Hessian; and the structured kernel
   (the tail's Jacobian written out, algorithm 'structured') with the output Hessian, which is what the experiment uses.
   All four compute the same values (checked here).
The full experiment also reports its page faults and system CPU time (memory the allocator gave back and took
again); --trim-threshold sets glibc's (0 gives every freed block at the top of the heap back at once).
Usage: python bench/transformer.py [--model DIR] [--epochs 8] [--skip-full] [--skip-steps] [--trim-threshold BYTES]
"""
import argparse, resource, time
import torch
from sparse_eigendecomp.language_model import load_language_model, repository_data, model_card
from sparse_eigendecomp.curvature import feature_values
from sparse_eigendecomp.tangents import ActivationCache
from sparse_eigendecomp.transformer import feature_report
from sparse_eigendecomp.testing import relative_error
from sparse_eigendecomp.transformer import (load_contexts, transformer_experiment, token_eigenmodel, prepare_tokens,
                                            keep_freed_memory)


def gemm_gflops():
    "The machine's state: float32 GFLOP/s of one large product (best of 3). These VMs slow down at times; compare runs by it."
    a, b = torch.rand(1024, 45000), torch.rand(45000, 2080)
    best = min(time_it(lambda: a @ b) for _ in range(3))
    return 1024 * 45000 * 2080 * 2 / best / 1e9


def memory_gbs():
    "The machine's memory bandwidth: GB/s read and written by one large elementwise sum (best of 3)."
    a = torch.rand(2**26)
    best = min(time_it(lambda: a + 1) for _ in range(3))
    return 2 * a.numel() * 4 / best / 1e9


def time_it(fn):
    t0 = time.perf_counter(); fn(); return time.perf_counter() - t0


def step_seconds(fn, repeats=3):
    "Median seconds of fn() (which returns feature values) plus the backward pass to U."
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        a, U = fn()
        torch.autograd.grad(-a.square().sum(-1).mean(), U)
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2], a.detach()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="models/tinystories-standin")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--skip-full", action="store_true", help="only the per-step comparison")
    ap.add_argument("--skip-steps", action="store_true", help="only the full experiment")
    ap.add_argument("--trim-threshold", type=int, default=2**31 - 1, help="glibc's M_TRIM_THRESHOLD (see keep_freed_memory)")
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"glibc keep-freed-memory (trim threshold {args.trim_threshold}): {keep_freed_memory(trim_threshold=args.trim_threshold)}")
    print(f"machine: float32 product at {gemm_gflops():.0f} GFLOP/s, elementwise at {memory_gbs():.1f} GB/s")
    model, tok = load_language_model(args.model)
    card = model_card(args.model)
    print(f"model: {card.name}" + (f", stand-in with held-out loss {card.held_out_loss:.3f}" if card.stand_in else ""))
    train_ids, held_ids, held_stories = load_contexts(repository_data("tinystories/tinystories-1000.txt"), tok, 500, 200, 64)

    if not args.skip_full:  # first, in a fresh process: the vocabulary-sized passes below leave the heap fragmented
        usage0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        run = transformer_experiment(model, train_ids, held_ids, "blocks.4.attn.W_K", n_features=10, epochs=args.epochs, progress=False,
                                     held_out_story_ids=held_stories)
        total, usage = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
        t = run.timings
        print(f"full experiment ({args.model}): prepare {t.prepare_s:.1f}s, fit {t.fit_s:.1f}s, "
              f"evaluation {t.eval_s:.1f}s, total {total:.1f}s")
        print(f"page faults {usage.ru_minflt - usage0.ru_minflt}, system CPU {usage.ru_stime - usage0.ru_stime:.1f}s, "
              f"user CPU {usage.ru_utime - usage0.ru_utime:.1f}s")
        print(f"transformer_total_s={total:.1f}")
        print(f"train_tokens_per_s={t.train_tokens_per_s:.0f}")
        print(f"eval_tokens_per_s={t.eval_tokens_per_s:.0f}")
        print(f"converged_features={feature_report(run, tok).n_converged}")
        if card.stand_in: print(f"standin_heldout_loss={card.held_out_loss:.3f}")
    if not args.skip_steps:
        em = token_eigenmodel(model, "blocks.4.attn.W_K", 10, seed=0)
        U = em.U.detach().clone().requires_grad_(True)
        x = train_ids[:16]
        data = prepare_tokens(em.model, model, x)
        whole, a_whole = step_seconds(lambda: (feature_values(model, x, U, "blocks.4.attn.W_K", "kl", algorithm="ggn"), U))
        tail, a_tail = step_seconds(lambda: (em.feature_values(data.resid, U=U, algorithm="ggn"), U))
        output_hessian, a_output_hessian = step_seconds(lambda: (em.feature_values(data.resid, U=U, output_hessian=data.output_hessian, algorithm="ggn"), U))
        cache = ActivationCache()   # as in a fit: the contexts' activations at W0 are kept after the first pass
        structured, a_structured = step_seconds(lambda: (em.feature_values(data.resid, U=U, output_hessian=data.output_hessian, algorithm="structured",
                                                                           cache=cache), U))
        print(f"one pass, 16 x 64 tokens, 10 directions: whole model {whole:.2f}s, tail + readout KL {tail:.2f}s, "
              f"tail + output Hessian {output_hessian:.3f}s, structured tail + output Hessian {structured:.3f}s "
              f"(output Hessian for these tokens: {data.seconds:.2f}s once); relative differences to the whole model "
              f"{relative_error(a_tail, a_whole):.1e}, {relative_error(a_output_hessian, a_whole):.1e}, {relative_error(a_structured, a_whole):.1e}")

    print(f"machine: float32 product at {gemm_gflops():.0f} GFLOP/s, elementwise at {memory_gbs():.1f} GB/s (at the end)")
    if not args.skip_steps:
        print(f"step_speedup_split={whole / tail:.2f}")
        print(f"step_speedup_output_hessian={whole / output_hessian:.1f}")
        print(f"step_speedup_structured={output_hessian / structured:.2f}")


if __name__ == "__main__":
    main()
