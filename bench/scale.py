"""Scale benchmark (not a test): data-parallel overhead, and what low-rank directions cost on a GPT-2-small-shaped model.

1. The token experiment's fit (10 features on blocks.4.attn.W_K of the shipped stand-in, batches of 16 x 64 tokens)
   under torchrun with 1 process (2 threads) and with 2 processes (1 thread each) on this machine: seconds per step,
   tokens/s, and the time per step spent in the all-reduce (which includes waiting for the slower rank), and how far
   the two U differ (float32).
2. k = 100 features over all attention and MLP weights (W_Q, W_K, W_V, W_O, W_in, W_out of 12 layers: 84.9M weights)
   of a random GPT-2-small-shaped model (KL on its logits, 4 x 64 tokens): dense U would need k x 84.9M floats for U
   alone (not allocated: it does not fit); low-rank U (r = 1, 4) is measured, each in a fresh process: the size of
   the trained state, and the high-curvature update's values and gradient to the factors for 1, 2 and 4 rows, as `fit`
   computes them (values without a graph, then one chunk of rows at a time), with seconds and peak memory. A full
   step updates all 100 rows twice; the k = 100 seconds are extrapolated from the rows measured and labelled so.
3. One real `fit` step with k = 100 at rank 1 (both updates of all 100 rows; about 40 minutes here): seconds and peak
   memory (`--skip-full-step` leaves it out; `--full-step 1` runs only it).
Usage: python bench/scale.py [--steps 6] [--rows 1 4 8] [--skip-full-step] | python bench/scale.py --full-step 1
Last lines: `ddp_overhead_per_step_s=<x>` and `lowrank_k100_all_weights_peak_gb=<x>` (GiB, r = 1: the real step's peak;
with --skip-full-step, the largest peak of the rows measured; the growth per row is printed on standard error).
"""
import argparse, json, os, resource, subprocess, sys, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent.parent


def ddp_worker(steps: int):
    "One rank of the token fit: per-step seconds and all-reduce seconds (printed as JSON by rank 0)."
    from sparse_eigendecomp import optimizer
    from sparse_eigendecomp.scale import init_distributed, world
    from sparse_eigendecomp.language_model import load_language_model, repository_data
    from sparse_eigendecomp.transformer import load_contexts, token_eigenmodel, prepare_tokens, keep_freed_memory
    init_distributed("cpu")
    keep_freed_memory()
    lm, tok = load_language_model(str(ROOT / "models/tinystories-standin"))
    split = load_contexts(repository_data("tinystories/tinystories-1000.txt"), tok, 16 * steps, 1, 64)
    em = token_eigenmodel(lm, "blocks.4.attn.W_K", 10)
    train = prepare_tokens(em.model, lm, split.train)
    reduce_s, stamps, plain = [0.0], [], optimizer._reduce
    def timed(*tensors):
        t0 = time.perf_counter()
        out = plain(*tensors)
        reduce_s[0] += time.perf_counter() - t0
        return out
    optimizer._reduce = timed
    t0 = time.perf_counter()
    optimizer.fit(em, train.resid, epochs=1, batch_size=16, lr=0.1, output_hessian=train.output_hessian, progress=False,
                  callbacks=[lambda em, record: stamps.append(time.perf_counter())])
    per_step = [b - a for a, b in zip([t0] + stamps[:-1], stamps)][1:]   # the first step warms up
    rank, size = world()
    if rank == 0:
        print(json.dumps(dict(processes=size, threads=torch.get_num_threads(), s_per_step=sorted(per_step)[len(per_step) // 2],
                              reduce_s_per_step=reduce_s[0] / len(stamps), U=em.U.detach().flatten()[:4096].tolist())))


def run_ddp(nproc: int, steps: int) -> dict:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc}", __file__, "--ddp-worker", str(steps)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode: raise SystemExit(out.stderr[-3000:])
    return json.loads([l for l in out.stdout.splitlines() if l.startswith("{")][-1])


def gpt2_small_params():
    names = [f"blocks.{l}.attn.W_{x}" for l in range(12) for x in "QKVO"] + [f"blocks.{l}.mlp.W_{x}" for l in range(12) for x in ("in", "out")]
    return names


def lowrank_worker(rank: int, rows: int):
    "One high-curvature update on `rows` rows of a k = 100, rank-`rank` eigenmodel of a random GPT-2-small-shaped model."
    import transformers as tf
    from sparse_eigendecomp.eigenmodel import EigenModel
    from sparse_eigendecomp.optimizer import high_curvature_loss, _low_rank_loss_grad
    torch.manual_seed(0)
    model = tf.GPT2LMHeadModel(tf.GPT2Config(attn_implementation="eager")).eval()   # forward-mode AD needs eager attention
    em = EigenModel(model, gpt2_small_params(), 100, "kl", rank=rank)
    x = torch.randint(0, 50257, (4, 64), generator=torch.Generator().manual_seed(0))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    t0 = time.perf_counter()
    _low_rank_loss_grad(em, x, None, None, None, torch.arange(rows), lambda a: high_curvature_loss(a)[None])   # as `fit` does it
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(json.dumps(dict(rank=rank, rows=rows, n_params=em.n_params, state_mb=3 * em.F.numel() * 4 / 2**20,   # F, its gradient, Adam's m
                          seconds=seconds, base_gb=base, peak_gb=peak)))


def full_step_worker(rank: int):
    "One real `fit` step (all 100 rows, both updates) of a rank-`rank` eigenmodel on 4 x 64 tokens: seconds and peak memory."
    import transformers as tf
    from sparse_eigendecomp.eigenmodel import EigenModel
    from sparse_eigendecomp.optimizer import fit
    torch.manual_seed(0)
    model = tf.GPT2LMHeadModel(tf.GPT2Config(attn_implementation="eager")).eval()
    em = EigenModel(model, gpt2_small_params(), 100, "kl", rank=rank)
    x = torch.randint(0, 50257, (4, 64), generator=torch.Generator().manual_seed(0))
    t0 = time.perf_counter()
    history = fit(em, x, epochs=1, batch_size=4, lr=0.01, progress=False)
    print(json.dumps(dict(rank=rank, steps=len(history), seconds=time.perf_counter() - t0,
                          peak_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20)))


def run_lowrank(rank: int, rows: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--lowrank-worker", str(rank), str(rows)], capture_output=True, text=True, cwd=ROOT)
    if out.returncode: raise SystemExit(out.stderr[-3000:])
    return json.loads([l for l in out.stdout.splitlines() if l.startswith("{")][-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--rows", type=int, nargs="+", default=[1, 4, 8])
    ap.add_argument("--ddp-worker", type=int)
    ap.add_argument("--lowrank-worker", type=int, nargs=2)
    ap.add_argument("--full-step", type=int, metavar="RANK", help="only: one real fit step with k = 100 at this rank (about 40 min)")
    ap.add_argument("--skip-full-step", action="store_true", help="leave out the real k = 100 step (the last line then uses the estimate)")
    args = ap.parse_args()
    if args.full_step: return full_step_worker(args.full_step)
    if args.ddp_worker: return ddp_worker(args.ddp_worker)
    if args.lowrank_worker: return lowrank_worker(*args.lowrank_worker)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(f"torch {torch.__version__}, {os.cpu_count()} cores")

    one, two = run_ddp(1, args.steps), run_ddp(2, args.steps)
    U1, U2 = torch.tensor(one.pop("U")), torch.tensor(two.pop("U"))
    print("| processes x threads | s/step | tokens/s | all-reduce s/step |\n|---|---|---|---|")
    for r in (one, two):
        print(f"| {r['processes']} x {r['threads']} | {r['s_per_step']:.3f} | {16 * 64 / r['s_per_step']:.0f} | {r['reduce_s_per_step']:.4f} |")
    print(f"U after {args.steps} steps, 2 processes vs 1 (float32): relative difference {((U2 - U1).norm() / U1.norm()).item():.1e}")

    n = 84_934_656
    print(f"dense U, k = 100 over {n / 1e6:.1f}M weights: U alone {100 * n * 4 / 2**30:.1f} GiB float32, with its gradient and Adam's "
          f"first moment {3 * 100 * n * 4 / 2**30:.1f} GiB: OOM on this 24 GiB machine (not allocated)")
    print("| rank | rows measured | trained state (F, grad, Adam m) | s for these rows | peak GiB | s/step, k=100 | peak GiB, k=100 |")
    print("|---|---|---|---|---|---|---|")
    peak_k100 = {}
    for rank in (1, 4):
        runs = [run_lowrank(rank, rows) for rows in args.rows]
        a, b = runs[0], runs[-1]
        per_row_s = b["seconds"] / b["rows"]
        # `fit` holds one chunk's graph at a time, so the peak should not grow with the rows: k = 100 is estimated by the
        # largest peak measured, and the growth per row between the fewest and most rows is printed to check that claim
        peak_k100[rank] = max(r["peak_gb"] for r in runs)
        print(f"rank {rank}: peak memory grows {(b['peak_gb'] - a['peak_gb']) / (b['rows'] - a['rows']):+.3f} GiB per row from "
              f"{a['rows']} to {b['rows']} rows", file=sys.stderr)
        for r in runs:
            print(f"| {rank} | {r['rows']} | {r['state_mb']:.2f} MB | {r['seconds']:.1f} | {r['peak_gb']:.2f} | "
                  f"{2 * 100 * per_row_s:.0f} (estimate) | {peak_k100[rank]:.1f} (estimate) |")
    if not args.skip_full_step:  # the real thing for rank 1: one fit step of all 100 rows (about 40 minutes here)
        out = subprocess.run([sys.executable, __file__, "--full-step", "1"], capture_output=True, text=True, cwd=ROOT)
        if out.returncode: raise SystemExit(out.stderr[-3000:])
        full = json.loads([l for l in out.stdout.splitlines() if l.startswith("{")][-1])
        peak_k100[1] = full["peak_gb"]
        print(f"one fit step, k = 100, rank 1, 4 x 64 tokens (measured): {full['seconds']:.0f}s, peak {full['peak_gb']:.1f} GiB")
    print(f"ddp_overhead_per_step_s={two['reduce_s_per_step']:.4f}")
    print(f"lowrank_k100_all_weights_peak_gb={peak_k100[1]:.1f}")


if __name__ == "__main__":
    main()
