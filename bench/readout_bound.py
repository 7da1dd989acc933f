"""Readout bound (not a test): the KL readout from each token's top-m vocabulary entries, its certified bound, and its speed.

For a direction u at token t the readout's value is a = Var_p(δz) = E_p[δz²] − (E_p δz)², δz = Wᵀ δh the logits' tangent
(W the unembedding, its columns centered: a variance does not change when every column moves by the same vector). Keeping
the top-m entries S of p (and the mean E_p δz = δh · W p exactly: one d-vector per token) leaves out
T = Σ_{v∉S} p_v δz_v² ≥ 0, so with a_m = Σ_{v∈S} p_v δz_v² − (E_p δz)²:
    a_m <= a <= a_m + B,   B = min(ε · C² · |δh|²,  p_(m+1) · δhᵀ G δh)
where ε is the left-out mass, C the largest left-out column norm, p_(m+1) the largest left-out probability and G = W Wᵀ over
the whole vocabulary (d × d, once). Each term is δhᵀ X δh for a per-token d × d matrix X, which the kernel evaluates exactly as
it does the output Hessian M (`output_hessian=X`): a, a_m and both bounds are four kernel calls, no approximation besides S.
1. The shipped stand-in (trained; its 10 default features, nbs/results/transformer) on held-out contexts: over the tokens
   where a feature is active (above a tenth of its largest value there), the true relative error (a − a_m) / a and the
   certified relative bound B / a_m, per m; and the readout's vocabulary cost kept, m / d_vocab.
2. The GPT-2-small shape with random weights (what bench/architectures.py times): the left-out mass ε per m.
3. What the library's `TopReadout` (the entries at least `--threshold` likely at some tried token of a call, each value
   certified or computed in full) does in a fit on the stand-in with the output Hessian not precomputed (the path wide models take): one epoch
   of `TRANSFORMER_FIT` on `--fit-contexts` training contexts with the exact readout and with `top_readout_kl`, their
   seconds, the record, and how far apart the two fits' directions end.
The issue asks for B <= 1e-3 of each value. Usage: python bench/readout_bound.py [--contexts 32] [--m 256 1024 4096] [--fit-contexts 64] [--threshold 1e-7]
"""
import argparse
import torch
from sparse_eigendecomp.architectures import ResidualTail, unembedding, eval_mode
from sparse_eigendecomp.eigenmodel import EigenModel
from sparse_eigendecomp.language_model import load_language_model, repository_data
from sparse_eigendecomp.params import select_params
from sparse_eigendecomp.transformer import load_contexts, prepare_tokens, start_at_layer_of, token_eigenmodel, top_readout, TRANSFORMER_FIT
from sparse_eigendecomp.optimizer import fit, fit_config
import time


def per_token_matrices(final, W_U, b_U, m, chunk=128):
    "For each token (rows of `final` `[N, d]`): (M_m, ε C² I, p_(m+1) G) of the top-m readout (see the docstring), and ε."
    W = (W_U - W_U.mean(1, keepdim=True)).double()                       # centered columns [d, V]
    G, norms2, eye = W @ W.T, W.square().sum(0), torch.eye(W.shape[0], dtype=W.dtype)
    parts = []
    for h in final.double().split(chunk):                                  # [c, V] probabilities at a time
        p = (h @ W_U.double() + (0 if b_U is None else b_U.double())).softmax(-1)
        top_p, top = p.topk(m + 1, dim=-1)                               # the kept m, and the largest left out
        kept, p_next, eps = top[:, :m], top_p[:, m], (1 - top_p[:, :m].sum(-1)).clamp_min(0)
        C2 = norms2.expand_as(p).scatter(1, kept, float("-inf")).amax(1)  # the largest left-out column norm²
        mean, Ws = p @ W.T, W.T[kept]                                     # E_p w `[c, d]`; kept columns `[c, m, d]`
        M_m = torch.einsum("nm,nmd,nme->nde", top_p[:, :m], Ws, Ws) - mean[:, :, None] * mean[:, None, :]
        parts.append((M_m, (eps * C2)[:, None, None] * eye, p_next[:, None, None] * G, eps))
    return [torch.cat(x) for x in zip(*parts)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="models/tinystories-standin")
    ap.add_argument("--run", default="nbs/results/transformer", help="a transformer run whose features are measured")
    ap.add_argument("--contexts", type=int, default=32, help="held-out contexts of 64 tokens")
    ap.add_argument("--m", type=int, nargs="+", default=[256, 1024, 4096])
    ap.add_argument("--fit-contexts", type=int, default=64, help="training contexts of the timed fits (0: skip them)")
    ap.add_argument("--threshold", type=float, default=1e-7, help="the fit's TopReadout keeps the entries this likely")
    args = ap.parse_args()
    torch.manual_seed(0)
    lm, tok = load_language_model(args.model, bridge=False)
    split = load_contexts(repository_data("tinystories/tinystories-1000.txt"), tok, 500, 200, 64)
    tail = ResidualTail(lm, start_at_layer_of(lm, select_params(lm, ["blocks.4.attn.W_K"])))
    em = EigenModel.load(f"{args.run}/eigenmodel", tail)
    held = prepare_tokens(tail, lm, split.held_out[:args.contexts])
    W_U, b_U = unembedding(tail)
    with eval_mode(tail), torch.no_grad(): final = tail(held.resid).reshape(-1, W_U.shape[0])
    shape = held.resid.shape[:2]
    values = lambda X: em.feature_values(held.resid, output_hessian=X.reshape(*shape, *X.shape[-2:]).to(held.resid.dtype)).detach().double()
    a = values(held.output_hessian.reshape(-1, *held.output_hessian.shape[-2:]))       # the exact readout (its M)
    active = a >= 0.1 * a.flatten(0, -2).amax(0)                                        # [n, pos, k]
    V = W_U.shape[1]
    print(f"stand-in, {args.contexts} held-out contexts ({final.shape[0]} tokens), d_vocab {V}; {int(active.sum())} active (token, feature) pairs")
    print("| m | vocabulary kept | left-out mass (median, max) | true error (a − a_m)/a (median, max) | certified B/a_m (median, max) "
          "| pairs with B/a_m <= 1e-3 |")
    print("|---|---|---|---|---|---|")
    for m in args.m:
        M_m, X1, X2, eps = per_token_matrices(final, W_U.detach(), None if b_U is None else b_U.detach(), m)
        a_m, b1, b2 = values(M_m), values(X1), values(X2)
        err, bound = ((a - a_m) / a)[active], (torch.minimum(b1, b2) / a_m.clamp_min(1e-300))[active]
        assert err.min() > -1e-3, f"a_m above a by {-err.min().item():.1e}: the truncation can only lower the value (round-off aside)"
        q = lambda x: f"{x.median().item():.2e}, {x.max().item():.2e}"
        print(f"| {m} | {m / V:.3f} | {q(eps)} | {q(err)} | {q(bound)} | {(bound <= 1e-3).float().mean().item():.1%} |")
    from transformers import AutoModelForCausalLM, GPT2Config
    rand = AutoModelForCausalLM.from_config(GPT2Config()).eval()                         # GPT-2 small's shape, random weights
    with torch.no_grad(): p = rand(split.held_out[:2].clamp_max(rand.config.vocab_size - 1)).logits.softmax(-1).reshape(-1, rand.config.vocab_size)
    print("GPT-2-small shape, random weights: left-out mass (median over 128 tokens) " + ", ".join(
        f"m={m}: {(1 - p.topk(m, -1).values.sum(-1)).median().item():.3f}" for m in args.m))
    if args.fit_contexts: timed_fits(lm, split.train[:args.fit_contexts], args.threshold)


def timed_fits(lm, contexts, threshold):
    "One epoch of the default fit on the stand-in without output Hessians: the exact readout, then `TopReadout`."
    config = fit_config(TRANSFORMER_FIT, epochs=1)
    runs = {}
    for name in ("exact", "top"):
        em = token_eigenmodel(lm, "blocks.4.attn.W_K", 10, seed=0)
        resid = prepare_tokens(em.model, lm, contexts, precompute_output_hessian=False).resid
        with top_readout(em, threshold if name == "top" else None) as record:
            t0 = time.perf_counter()
            history = fit(em, resid, config, progress=False)
        runs[name] = (time.perf_counter() - t0, len(history), em.U.detach(), record)
    (t_exact, steps, U_exact, _), (t_top, _, U_top, record) = runs["exact"], runs["top"]
    cos = (U_exact * U_top).sum(1).abs() / (U_exact.norm(dim=1) * U_top.norm(dim=1))
    print(f"stand-in fit without output Hessians, {len(contexts)} contexts x {contexts.shape[1]} tokens, 1 epoch ({steps} records): "
          f"exact readout {t_exact:.1f}s, TopReadout(threshold={threshold:g}) {t_top:.1f}s = {t_exact / t_top:.2f}x faster; {record}; "
          f"the two fits' directions: |cos| min {cos.min().item():.6f}, max |difference| {(U_exact - U_top).abs().max().item():.1e}")
    print(f"top_readout_speedup={t_exact / t_top:.2f}")


if __name__ == "__main__":
    main()
