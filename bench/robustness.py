"""Robustness benchmark (not a test): does the method recover the toy models' features on every seed?

Each seed reseeds both the toy model and the eigenmodel. TMS: one-to-one recovery of the 5 inputs
(analysis.one_to_one on the preference matrix). XOR: the features' top inputs cover [1,1], [0,1], [1,0].
Usage: python bench/robustness.py [--seeds N]
"""
import argparse, time
from sparse_eigendecomp.tms import tms_experiment
from sparse_eigendecomp.xor import xor_experiment


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    tms_ok = xor_ok = 0
    t0 = time.perf_counter()
    for seed in range(args.seeds):
        r = tms_experiment(seed=seed)
        rec = r.recovery
        tms_ok += rec.recovered
        print(f"tms seed {seed:2d}: recovered={rec.recovered} assignment={rec.assignment} score={rec.score:.3f} "
              f"restart objectives={[round(o, 4) for o in r.objectives]}", flush=True)
    tms_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for seed in range(args.seeds):
        r = xor_experiment(seed=seed)
        xor_ok += r.recovered
        print(f"xor seed {seed:2d}: recovered={r.recovered} top inputs={';'.join(r.top_inputs)} "
              f"(net fitted after {r.model.attempts} attempt(s))", flush=True)
    xor_s = time.perf_counter() - t0
    print(f"time: tms {tms_s:.0f}s ({tms_s / args.seeds:.1f}s/seed), xor {xor_s:.0f}s ({xor_s / args.seeds:.1f}s/seed)")
    print(f"tms_recovered={tms_ok}/{args.seeds}")
    print(f"xor_recovered={xor_ok}/{args.seeds}")


if __name__ == "__main__":
    main()
