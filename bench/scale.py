"""Scale benchmark (not a test): data-parallel overhead, and what low-rank directions cost on a GPT-2-small-shaped model.

1. The token experiment's fit (10 features on blocks.4.attn.W_K of the shipped stand-in, batches of 16 x 64 tokens)
   under torchrun with 1 process (2 threads) and with 2 processes (1 thread each) on this machine: seconds per step,
   tokens/s, and the time per step spent in the all-reduce (which includes waiting for the slower rank), and how far
   the two U differ (float32).
2. k = 100 features over all attention and MLP weights (W_Q, W_K, W_V, W_O, W_in, W_out of 12 layers: 84.9M weights)
   of a random GPT-2-small-shaped model (the KL of its next-token distributions, 4 x 64 tokens): dense U would need
   k x 84.9M floats for U alone (not allocated: it does not fit). Low-rank U (r = 1, 4), each in a fresh process: one
   real `fit` step (both updates of all 100 rows) on the path token experiments take (the model as a `ResidualTail`
   from block 0, the readout KL behind the unembedding: the written-out kernel with factored rows) and, for r = 1,
   on the whole model (forward-mode AD seeded where the matrices act: `--path model`); its seconds against a forward
   pass of the model timed in the same process (forward
   passes per direction = step seconds / (forward seconds x 100); the forward is the median of three passes before the
   step and three after, since the machine's speed drifts over minutes), the trained state and the peak memory.
Usage: python bench/scale.py [--steps 6] [--ranks 1 4] | python bench/scale.py --full-step 1 [--path tail|model]
Last lines: `ddp_overhead_per_step_s=<x>`, `lowrank_k100_all_weights_peak_gb=<x>` (GiB, r = 1) and
`lowrank_k100_forwards_per_direction=<x>` (r = 1, the token experiments' path).
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


def full_step_worker(rank: int, path: str = "tail"):
    "One real `fit` step (all 100 rows, both updates) of a rank-`rank` eigenmodel on 4 x 64 tokens, against forward passes timed here."
    import transformers as tf
    from sparse_eigendecomp.eigenmodel import EigenModel
    from sparse_eigendecomp.optimizer import fit
    from sparse_eigendecomp.architectures import ResidualTail, resid_pre, unembedding
    from sparse_eigendecomp.divergence import readout_kl
    torch.manual_seed(0)
    model = tf.GPT2LMHeadModel(tf.GPT2Config(attn_implementation="eager")).eval()   # forward-mode AD needs eager attention
    x = torch.randint(0, 50257, (4, 64), generator=torch.Generator().manual_seed(0))
    def forwards(n):   # seconds of n forward passes
        with torch.no_grad(): return [(time.perf_counter(), model(x), time.perf_counter())[::2] for _ in range(n)]
    forwards(1)   # warm-up
    before = forwards(3)
    if path == "tail":   # what token experiments fit: resid_pre of block 0 in, the readout KL behind the unembedding
        tail = ResidualTail(model, 0)
        em, inputs = EigenModel(tail, gpt2_small_params(), 100, readout_kl(*unembedding(tail)), rank=rank), resid_pre(model, x, 0)
    else: em, inputs = EigenModel(model, gpt2_small_params(), 100, "kl", rank=rank), x
    t0 = time.perf_counter()
    history = fit(em, inputs, epochs=1, batch_size=4, lr=0.01, progress=False)
    seconds = time.perf_counter() - t0
    forward_s = sorted(b - a for a, b in before + forwards(3))   # three before the step and three after: the machine's speed drifts
    forward = (forward_s[2] + forward_s[3]) / 2
    print(json.dumps(dict(rank=rank, path=path, steps=len(history), n_params=em.n_params, state_mb=3 * em.F.numel() * 4 / 2**20,  # F, its gradient, Adam's m
                          seconds=seconds, forward_s=forward, forward_range_s=[forward_s[0], forward_s[-1]],
                          forwards_per_direction=seconds / (forward * em.n_features),
                          peak_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20)))


def run_full_step(rank: int, path: str = "tail") -> dict:
    out = subprocess.run([sys.executable, __file__, "--full-step", str(rank), "--path", path], capture_output=True, text=True, cwd=ROOT)
    if out.returncode: raise SystemExit(out.stderr[-3000:])
    return json.loads([l for l in out.stdout.splitlines() if l.startswith("{")][-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 4], help="ranks of the k = 100 fit steps (the last lines report rank 1)")
    ap.add_argument("--ddp-worker", type=int)
    ap.add_argument("--full-step", type=int, metavar="RANK", help="only: one real fit step with k = 100 at this rank")
    ap.add_argument("--path", choices=("tail", "model"), default="tail", help="with --full-step: the token experiments' path or the whole model's")
    args = ap.parse_args()
    if args.full_step: return full_step_worker(args.full_step, args.path)
    if args.ddp_worker: return ddp_worker(args.ddp_worker)
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
    print("| rank | path | trained state (F, grad, Adam m) | s per fit step (k = 100) | forward s | forwards per direction | peak GiB |")
    print("|---|---|---|---|---|---|---|")
    full = {rank: run_full_step(rank) for rank in args.ranks}
    for r in [*full.values(), run_full_step(1, "model")]:
        print(f"| {r['rank']} | {r['path']} | {r['state_mb']:.2f} MB | {r['seconds']:.0f} | {r['forward_s']:.3f} | "
              f"{r['forwards_per_direction']:.1f} | {r['peak_gb']:.1f} |")
    print(f"ddp_overhead_per_step_s={two['reduce_s_per_step']:.4f}")
    print(f"lowrank_k100_all_weights_peak_gb={full[1]['peak_gb']:.1f}")
    print(f"lowrank_k100_forwards_per_direction={full[1]['forwards_per_direction']:.1f}")


if __name__ == "__main__":
    main()
