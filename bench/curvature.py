"""Curvature kernel benchmark (not a test): time and peak memory of feature values a_u(x) = uᵀH(x)u.

Compares, in one run on this machine:
- TMS 5-2 (15 parameters), k=5, 64 and 512 samples: the original note's nested reverse mode (dense per-sample
  Hessians by jacrev(jacrev(D)), then uᵀHu) vs the nested-JVP reference (algorithm="jvp") vs the one-JVP
  Gauss-Newton fast path (algorithm="ggn").
- A TinyStories-1M-shaped GPT-Neo (8 layers, d_model 64, 16 heads, vocab 50257, random weights),
  8 contexts x 64 tokens, params blocks.4.attn.W_K (4096), k=10: one forward+backward of the KL loss vs ggn feature
  values, (a) by the transformer path (`ggn`: blocks 0-3 run once, the JVP starts at block 4 and stops before the
  unembedding, whose tangent is one matrix product; see the transformer notebook) and (b) by the plain kernel on the
  whole model (`ggn_whole`: the JVP runs through the unembedding, where forward-mode AD adds an extra primal product
  and sum per chunk). Both give the same values.

Each configuration runs in its own child process (address space capped at MEMORY_CAP_GB, so running out
of memory prints OOM instead of killing the run), with glibc keeping freed memory (`keep_freed_memory`: without it
every large tensor page-faults anew and timings on this VM vary by 1.5x). Time: median of repeats after one warm-up call.
Memory: the child's peak RSS during the first call minus its peak RSS after set-up.
Usage: python bench/curvature.py [--repeats N]
"""
import argparse, json, resource, statistics, subprocess, sys, time
import torch

TMS_SIZES, TMS_K = (64, 512), 5


def tms_setup(n):
    from sparse_eigendecomp.tms import train_tms, sparse_features
    model = train_tms(seed=0, steps=200)
    x = sparse_features(n, generator=1)
    U = torch.nn.functional.normalize(torch.randn(TMS_K, 15, generator=torch.Generator().manual_seed(0)), dim=1)
    return model, x, U


def neo_setup():
    from transformers import GPTNeoForCausalLM
    from transformers.utils import logging
    from sparse_eigendecomp.architectures import tinystories_config
    logging.set_verbosity_error()
    torch.manual_seed(0)
    model = GPTNeoForCausalLM(tinystories_config()).eval()
    tokens = torch.randint(0, 50257, (8, 64), generator=torch.Generator().manual_seed(1))
    U = torch.nn.functional.normalize(torch.randn(10, 4096, generator=torch.Generator().manual_seed(0)), dim=1)
    return model, tokens, U


def make_call(config):
    "A zero-argument function running `config` once."
    from sparse_eigendecomp.curvature import feature_values, model_output
    from sparse_eigendecomp.params import select_params
    from sparse_eigendecomp.testing import per_sample_hessian, dense_feature_values
    from sparse_eigendecomp.divergence import kl_divergence
    kind, *rest = config.split(":")
    if kind == "tms":
        method, n = rest[0], int(rest[1])
        model, x, U = tms_setup(n)
        if method == "nested_reverse":
            return lambda: dense_feature_values(per_sample_hessian(model, x, ["W", "b"], "mse", mode="rev-rev"), U)
        return lambda: feature_values(model, x, U, ["W", "b"], "mse", algorithm=method)
    model, tokens, U = neo_setup()
    if rest[0] == "ggn_whole":  # the plain kernel on the whole model: KL on the 50257 logits
        return lambda: feature_values(model, tokens, U, "transformer.h.4.attn.attention.k_proj.weight", "kl")
    if rest[0] == "ggn":  # the transformer path: blocks 0-3 once, JVP from block 4, KL through the unembedding
        from sparse_eigendecomp.architectures import ResidualTail, resid_pre, unembedding
        from sparse_eigendecomp.divergence import readout_kl
        tail = ResidualTail(model, 4)
        div = readout_kl(*unembedding(tail))
        return lambda: feature_values(tail, resid_pre(model, tokens, 4), U,
                                      "transformer.h.4.attn.attention.k_proj.weight", div)
    sel = select_params(model, "transformer.h.4.attn.attention.k_proj.weight")
    w0 = sel.values(model)
    with torch.no_grad(): logits0 = model_output(model, sel, tokens, w0)
    def fwd_bwd():
        w = w0.clone().requires_grad_(True)
        kl_divergence(model_output(model, sel, tokens, w), logits0).sum().backward()
    return fwd_bwd


MEMORY_CAP_GB = 16  # per child: a larger allocation fails with an error (reported as OOM) instead of the OOM killer


def measure(config, repeats):
    "In this process: peak RSS (MB) of one call above set-up, then the median time of `repeats` calls."
    call = make_call(config)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    call()  # also the warm-up
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); call(); times.append(time.perf_counter() - t0)
    return statistics.median(times), peak


def run_child(config, repeats):
    "Measure `config` in a child process capped at MEMORY_CAP_GB; ('OOM', 'OOM') if it runs out of memory."
    code = ("import resource, sys, json; sys.path.insert(0, 'bench'); cap = int(sys.argv[3]) << 30; "
            "resource.setrlimit(resource.RLIMIT_AS, (cap, cap)); import curvature as b; "
            "from sparse_eigendecomp.transformer import keep_freed_memory; keep_freed_memory(); "
            "print(json.dumps(b.measure(sys.argv[1], int(sys.argv[2]))))")
    r = subprocess.run([sys.executable, "-c", code, config, str(repeats), str(MEMORY_CAP_GB)], capture_output=True, text=True)
    if r.returncode != 0:
        if "memory" in r.stderr.lower() or r.returncode < 0: return "OOM", "OOM"
        raise RuntimeError(f"{config} failed:\n{r.stderr[-2000:]}")
    return tuple(json.loads(r.stdout.strip().splitlines()[-1]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    rows, t = [], {}
    for n in TMS_SIZES:
        for method in ("nested_reverse", "jvp", "ggn"):
            config = f"tms:{method}:{n}"
            t[config], mb = run_child(config, args.repeats)
            rows.append((f"TMS 5-2, k={TMS_K}, {n} samples", method, t[config], mb))
    for method in ("fwd_bwd", "ggn", "ggn_whole"):
        config = f"neo:{method}"
        t[config], mb = run_child(config, args.repeats)
        rows.append(("GPT-Neo 8x64, vocab 50257, 8x64 tokens, W_K (4096), k=10", method, t[config], mb))
    print(f"{'setting':58s} {'method':15s} {'median time':>12s} {'peak MB':>9s}")
    for setting, method, sec, mb in rows:
        sec_s = sec if isinstance(sec, str) else f"{sec * 1e3:9.2f} ms"
        mb_s = mb if isinstance(mb, str) else f"{mb:9.1f}"
        print(f"{setting:58s} {method:15s} {sec_s:>12s} {mb_s:>9s}")
    for n in TMS_SIZES:
        ref, fast = t[f"tms:nested_reverse:{n}"], t[f"tms:ggn:{n}"]
        if not isinstance(ref, str):
            print(f"TMS {n} samples: ggn is {ref / fast:.0f}x faster than nested reverse, {t[f'tms:jvp:{n}'] / fast:.1f}x faster than nested JVP")
    print()
    print(f"ggn_speedup_vs_nested_reverse={t['tms:nested_reverse:64'] / t['tms:ggn:64']:.1f}")
    print(f"ggn_whole_model_over_fwdbwd={t['neo:ggn_whole'] / t['neo:fwd_bwd']:.2f}")
    print(f"ggn_over_fwdbwd={t['neo:ggn'] / t['neo:fwd_bwd']:.2f}")


if __name__ == "__main__":
    main()
