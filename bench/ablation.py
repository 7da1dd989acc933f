"""Ablation of the objective's options on the transformer (not a test): which variant gives distinct, stable features.

The original note's setting on the shipped stand-in (10 features of blocks.4.attn.W_K, 500 training contexts of 64
tokens, 8 epochs, batch 16, lr 0.1, λ 1): every variant below is fitted from seeds 0, 1 and 2 on the same prepared
tokens, and scored on the 200 held-out contexts (never trained on):
- captured: mean share of a held-out token's curvature in the span of the 10 directions (Hutchinson traces with
  `--probes` probes on every held-out token, one probe seed for every method);
- density and duplicates on each token's share of its curvature (u^T H u / tr H), and duplicates also on the raw
  values u^T H u (pairs sharing > 2 of their top-10 positions, or |cos| > 0.5); top-1 positions: how many distinct
  positions the ten features top on (raw values);
- stability: mean matched |cos| over the three seed pairs; top-20 token entropy (bits, shares); fit seconds (the
  traces included where the variant normalizes);
- the reports' convergence rule, per seed: how many features beat random directions (mean top-10 value above that of
  each of 10 random unit directions on the same held-out tokens, on shares where the variant normalizes, else raw
  values), the objective's change over the last epoch (on the fit's fixed samples, `History.epoch_change`), and how
  many features count as converged (beat random, and the change within 5%).
Baselines on the same held-out tokens: eig and heads fitted on 64 training contexts (seed 0: every 8th context from
the first; seed 1: from the fifth), so their stability is a refit on disjoint data too.
Writes nbs/results/ablation/ablation.json (the transformer notebook's table reads it) and prints the table.
Every fit is kept in --cache as it finishes (runs/ablation_cache.pt), so a rerun scores only what is missing.
Usage: python bench/ablation.py [--variants original,...] [--seeds 0,1,2] [--epochs 8] [--out nbs/results/ablation]
"""
import argparse, itertools, json, time
from pathlib import Path
import torch
from sparse_eigendecomp.files import atomic_write_text
from sparse_eigendecomp.language_model import load_language_model, repository_data, model_card
from sparse_eigendecomp.optimizer import fit, fit_config, sample_scale, scale_values
from sparse_eigendecomp.analysis import beats_random
from sparse_eigendecomp.scorecard import (SampleHessians, sample_traces, captured_curvature, span_curvature, feature_density,
                                          interference, duplicate_pairs, matched_cosine, eig_directions, head_directions, part_masks,
                                          random_directions, top_token_entropy)
from sparse_eigendecomp.transformer import load_contexts, prepare_tokens, token_eigenmodel, keep_freed_memory, TRANSFORMER_FIT_ORIGINAL

VARIANTS = {  # name: FitConfig options on top of the original note's setting
    "original": {},
    "cosine": dict(lr_schedule="cosine"),
    "trace": dict(normalize="trace"),
    "trace+cosine": dict(normalize="trace", lr_schedule="cosine"),
    "trace+cosine+orthogonal": dict(normalize="trace", lr_schedule="cosine", orthogonal=True),
    "trace+cosine+p1.5": dict(normalize="trace", lr_schedule="cosine", power=1.5),
    "trace+cosine+replace": dict(normalize="trace", lr_schedule="cosine", replace_rows=2, replace_samples=128),
    "trace+cosine+replace+equal": dict(normalize="trace", lr_schedule="cosine", replace_rows=2, replace_samples=128, equal_batches=True),
}


def held_out_scores(h, U, share_scale, traces, tokens, random_raw):
    "Scores of directions U on the held-out tokens (`h`: their Hessians; `random_raw`: random directions' raw values there)."
    raw = h.values(U).view(*tokens.shape, -1)                                                   # [n, pos, k]
    share = scale_values(raw, share_scale)
    return dict(captured=captured_curvature(span_curvature(h, U), traces).mean,
                density=feature_density(share).mean().item(), interference=interference(share, U),
                duplicates_share=len(duplicate_pairs(share, U)), duplicates_raw=len(duplicate_pairs(raw, U)),
                top1_positions=len(set(raw.reshape(-1, raw.shape[-1]).argmax(0).tolist())),
                entropy=sum(top_token_entropy(share.cpu(), tokens.cpu(), 20)) / U.shape[0],
                beats_random_raw=int(beats_random(raw, random_raw).sum()),
                beats_random_share=int(beats_random(share, scale_values(random_raw, share_scale)).sum()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="models/tinystories-standin")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--probes", type=int, default=32)
    ap.add_argument("--out", default="nbs/results/ablation")
    ap.add_argument("--cache", default="runs/ablation_cache.pt", help="fits kept as they finish (directions and scores)")
    args = ap.parse_args()
    keep_freed_memory()
    seeds = [int(s) for s in args.seeds.split(",")]
    model, tok = load_language_model(args.model)
    split = load_contexts(repository_data("tinystories/tinystories-1000.txt"), tok, 500, 200, 64)
    em = token_eigenmodel(model, "blocks.4.attn.W_K", 10, 0)
    train, held = prepare_tokens(em.model, model, split.train), prepare_tokens(em.model, model, split.held_out)
    h_held = SampleHessians(em, held.resid, held.output_hessian, 16)
    traces = sample_traces(h_held, probes=args.probes, seed=0)
    share_scale = sample_scale(em, held.resid, held.output_hessian, args.probes, 16)
    random_raw = h_held.values(random_directions(10, em.n_params, 0, em.w0.dtype, em.w0.device)).view(*held.tokens.shape, -1)
    rows, cache = [], Path(args.cache)
    cached = torch.load(cache) if cache.exists() else {}

    def record(method, seed, U, seconds, extra=None, beats=None):
        "Score U, keep it; `beats`: which beat-random count the fit's report reads, for its converged count (fits only)."
        scores = held_out_scores(h_held, U, share_scale, traces, held.tokens, random_raw)
        rows.append(dict(method=method, seed=seed, seconds=seconds, U=U.detach().cpu(), **scores, **(extra or {})))
        if beats: rows[-1].update(beats_random=scores[beats], converged=scores[beats] if rows[-1]["plateaued"] else 0)
        cached[(method, seed)] = rows[-1]
        cache.parent.mkdir(parents=True, exist_ok=True)
        torch.save(cached, cache)
        print(f"{method} seed {seed}: " + ", ".join(f"{k} {v:.4g}" for k, v in scores.items()) + f", {seconds:.0f}s", flush=True)

    heads = part_masks(em)
    for seed, start in [(0, 0), (1, 4)]:   # baselines from 64 training contexts each, disjoint between the two seeds
        idx = torch.arange(start, len(split.train), 8)
        h = SampleHessians(em, train.resid[idx], train.output_hessian[idx], 16)
        t0 = time.perf_counter()
        tr = sample_traces(h, probes=args.probes, seed=0)
        U, _ = eig_directions(h, 10, tr, seed=seed)
        record("eig", seed, U, time.perf_counter() - t0)
        t0 = time.perf_counter()
        U, _, _ = head_directions(h, 10, tr, heads, seed=seed)
        record("heads", seed, U, time.perf_counter() - t0)
    unknown = set(args.variants.split(",")) - set(VARIANTS)
    if unknown: raise SystemExit(f"unknown variants {sorted(unknown)}; choose from {list(VARIANTS)}")
    for name in args.variants.split(","):
        for seed in seeds:
            if (name, seed) in cached:
                rows.append(cached[(name, seed)]); continue
            fitted = token_eigenmodel(model, "blocks.4.attn.W_K", 10, seed)
            config = fit_config(TRANSFORMER_FIT_ORIGINAL, seed=seed, epochs=args.epochs, **VARIANTS[name])
            t0 = time.perf_counter()
            history = fit(fitted, train.resid, config, output_hessian=train.output_hessian, progress=False)
            beats = "beats_random_share" if VARIANTS[name].get("normalize") == "trace" else "beats_random_raw"   # as its report reads it
            record(name, seed, fitted.U, time.perf_counter() - t0, dict(last_epoch_change=history.epoch_change(), plateaued=history.plateaued(),
                                                                       rows_replaced=len(history.replaced)), beats)

    table = []
    for method in dict.fromkeys(r["method"] for r in rows):
        runs = [r for r in rows if r["method"] == method]
        pairs = [matched_cosine(a["U"], b["U"])[0] for a, b in itertools.combinations(runs, 2)]
        mean = lambda key: sum(r[key] for r in runs) / len(runs)
        table.append(dict(method=method, seeds=[r["seed"] for r in runs], stability=sum(pairs) / len(pairs) if pairs else None,
                          stability_pairs=pairs, **{k: mean(k) for k in ("captured", "density", "interference", "entropy", "seconds")},
                          **{f"{k}_per_seed": [r.get(k) for r in runs] for k in ("captured", "duplicates_share", "duplicates_raw", "top1_positions",
                                                                                  "beats_random", "last_epoch_change", "converged")}))
    eig = next(t for t in table if t["method"] == "eig")
    print("| method | captured (x eig) | density (x eig) | duplicates, share (raw) | top-1 positions | stability | entropy "
          "| beat random | last-epoch change | converged | s |")
    change = lambda t: [None if c is None else round(c, 3) for c in t["last_epoch_change_per_seed"]]
    stability = lambda t: "n/a" if t["stability"] is None else f"{t['stability']:.3f}"   # (one seed: no pair)
    for t in table:
        print(f"| {t['method']} | {t['captured']:.3f} ({t['captured'] / eig['captured']:.2f}) | {t['density']:.4f} "
              f"({t['density'] / eig['density']:.2f}) | {t['duplicates_share_per_seed']} ({t['duplicates_raw_per_seed']}) | "
              f"{t['top1_positions_per_seed']} | {stability(t)} | {t['entropy']:.2f} | {t['beats_random_per_seed']} | {change(t)} "
              f"| {t['converged_per_seed']} | {t['seconds']:.0f} |")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "ablation.json", json.dumps(dict(
        model=model_card(args.model).to_dict(), setting=dict(params="blocks.4.attn.W_K", n_features=10, train_contexts=500, held_out_contexts=200, ctx_len=64,
                                                   epochs=args.epochs, probes=args.probes, variants=VARIANTS),
        table=table, runs=[{k: v for k, v in r.items() if k != "U"} for r in rows]), indent=1))
    print(f"wrote {out / 'ablation.json'}")


if __name__ == "__main__":
    main()
