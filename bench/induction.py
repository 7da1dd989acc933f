"""Induction benchmark (not a test): is the planted circuit recovered on every seed of the toy?

Each seed trains its own two-layer toy (`train_induction_model`) and fits whole-model features with it; nothing is
tuned per seed. Both objectives are run on the same trained toy: the induction fit (raw values, `INDUCTION_FIT`) and
the transformer default's objective (each token's share of its curvature: `TRANSFORMER_FIT` without row replacement,
as the shipped results were measured; --options '{"replace_rows": 2}' adds it). Recovery is `induction_recovery`:
one feature at least twice as active on repeated tokens as on the first block, with at least half its squared norm
on the previous-token and induction heads (heads found from attention patterns, score >= 0.5).
The shipped nbs/results/induction/seeds.json was made with --n-features 6 (both objectives, the heads baseline);
seeds_k10.json, seeds_k10_fresh.json and seeds_k6_fresh.json with --objectives raw and their own --out (the commands
are in the induction notebook, "k = 10"): give --out, or the default overwrites seeds.json.
Writes nbs/results/induction/seeds.json (per seed: losses, head scores, every feature's share and activity ratio,
the circuit map by head). With --heads-baseline, each seed's toy and raw-value fit are made again (seeded: the same)
and the scorecard's heads baseline (`heads_baseline`: each head's and MLP's top eigenvector, ranked by eigenvalue,
with its activity ratio) is added to that seed's row of an existing file.
Usage: python bench/induction.py [--seeds 10] [--first-seed 0] [--n-features 10] [--out nbs/results/induction/seeds.json] [--heads-baseline]
       [--objectives raw,trace] [--options '{"replace_rows": 2}']
"""
import argparse, inspect, json, time
import torch
from sparse_eigendecomp.files import atomic_write_text
from sparse_eigendecomp.induction import INDUCTION_FIT, heads_baseline, induction_experiment, induction_line, train_induction_model
from sparse_eigendecomp.optimizer import fit_config
from sparse_eigendecomp.transformer import TRANSFORMER_FIT

OBJECTIVES = {"raw": INDUCTION_FIT, "trace": fit_config(TRANSFORMER_FIT, replace_rows=0)}


N_FEATURES = inspect.signature(induction_experiment).parameters["n_features"].default   # the library's default k


def one_seed(seed, options=None, objectives=tuple(OBJECTIVES), n_features=N_FEATURES):
    t0 = time.perf_counter()
    model = train_induction_model(seed)
    row = dict(seed=seed, train_s=time.perf_counter() - t0)
    for name in objectives:
        config, t1 = OBJECTIVES[name], time.perf_counter()
        r = induction_experiment(seed, n_features, model=model, config=fit_config(config, **(options or {})))
        heads = r.circuit.by_head()
        row[name] = dict(line=induction_line(r), recovery=r.recovery.to_dict(), fit_s=time.perf_counter() - t1,
                         circuit_by_head=heads.to_dict())
        row.update(losses=dict(first_block=r.losses[0], repeated=r.losses[1]), scores=r.scores.to_dict())
        print(f"seed {seed} {name:5s}: {row[name]['line']} ratio={r.recovery.ratio:.2f} "
              f"prev_heads={r.recovery.previous_token_heads} induction_heads={r.recovery.induction_heads} "
              f"losses={r.losses[0]:.2f}/{r.losses[1]:.2f} ({row['train_s']:.0f}s + {row[name]['fit_s']:.0f}s)", flush=True)
    return row


def add_heads_baseline(row):
    t0 = time.perf_counter()
    r = induction_experiment(row["seed"], len(row["raw"]["recovery"]["shares"]), model=train_induction_model(row["seed"]), config=INDUCTION_FIT)
    if max(abs(a - b) for a, b in zip(r.recovery.shares, row["raw"]["recovery"]["shares"])) > 1e-6:
        raise SystemExit(f"seed {row['seed']}: the fit differs from the file's")
    base = heads_baseline(r)
    row["heads_baseline"] = dict(base.to_dict(), seconds=time.perf_counter() - t0)
    top = [f"{c} {v:.3g} (ratio {q:.1f}{', circuit' if i else ''})" for c, v, q, i in zip(base.components, base.eigenvalues, base.ratios, base.in_circuit)][:4]
    print(f"seed {row['seed']} heads baseline: {'; '.join(top)}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10, help="how many seeds")
    ap.add_argument("--first-seed", type=int, default=0, help="seeds first..first+N-1 (e.g. 10 for seeds no choice was made on)")
    ap.add_argument("--n-features", type=int, default=N_FEATURES, help="whole-model features k per fit (seeds.json: 6)")
    ap.add_argument("--out", default="nbs/results/induction/seeds.json", help="where to write the per-seed results")
    ap.add_argument("--heads-baseline", action="store_true", help="add the heads baseline to the rows of an existing --out")
    ap.add_argument("--objectives", default=",".join(OBJECTIVES), help="which objectives to run (comma-separated)")
    ap.add_argument("--options", default="{}", help="FitConfig fields over both objectives (JSON), e.g. to measure a variant; use another --out")
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.heads_baseline:
        rows = json.loads(open(args.out).read())["seeds"]
        for row in rows[:args.seeds]:
            add_heads_baseline(row)
            atomic_write_text(args.out, json.dumps(dict(seeds=rows), indent=1))
        return
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        rows.append(one_seed(seed, json.loads(args.options), args.objectives.split(","), args.n_features))
        atomic_write_text(args.out, json.dumps(dict(seeds=rows), indent=1))   # after every seed: a partial run keeps its seeds
    for name in args.objectives.split(","):
        ok = sum(r[name]["recovery"]["recovered"] for r in rows)
        print(f"induction_recovered_{name}={ok}/{len(rows)}")


if __name__ == "__main__":
    main()
