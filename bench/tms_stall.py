"""Why TMS 40-10 missed inputs (not a test): the fit's restarts against the per-input top eigenvectors, on one seed.

For every input i, the top eigenvector of the mean Hessian of the samples where only i is active (dense Hessians,
`testing.per_sample_hessian`: 440 parameters) is one row; those 40 rows are scored with the fit's objective L1 + λ·L2
on the same samples and checked one to one, beside every restart of the fit with the given options. If the
eigenvector rows score lower than every restart, the objective prefers the right answer and the fit does not reach it.
Usage: python bench/tms_stall.py [--seed 0] [--samples 1000] [--options '{"replace_rows": 0, "lr_schedule": "constant"}']
"""
import argparse, json
import numpy, torch
from sparse_eigendecomp.analysis import preference_matrix, one_to_one
from sparse_eigendecomp.eigenmodel import EigenModel
from sparse_eigendecomp.optimizer import objective
from sparse_eigendecomp.testing import per_sample_hessian
from sparse_eigendecomp.tms import tms_experiment


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--options", default='{"replace_rows": 0, "lr_schedule": "constant"}', help="FitConfig fields over TMS_FIT (JSON)")
    args = ap.parse_args()
    r = tms_experiment(seed=args.seed, n_inputs=40, n_hidden=10, n_samples=args.samples, **json.loads(args.options))
    print(f"fit ({args.options}): matched {r.recovery.matched}/40, restart objectives {[round(o, 4) for o in r.objectives]}")
    rows = []
    for i in range(40):
        H = per_sample_hessian(r.model, r.x[r.labels == i], ["W", "b"]).double().mean(0).numpy()
        rows.append(torch.from_numpy(numpy.linalg.eigh((H + H.T) / 2)[1][:, -1]).float())   # (torch's eigh fails to converge on these)
    V = torch.stack(rows)
    best = (r.em.U.detach() @ V.T).abs().max(1).values.sort()
    print(f"the fit's rows, best |cos| with any input's eigenvector, lowest three: {[round(v, 2) for v in best.values[:3].tolist()]} "
          f"(rows {best.indices[:3].tolist()}); one-hot samples per input: min {int(torch.bincount(r.labels[r.labels >= 0], minlength=40).min())}")
    em = EigenModel(r.model, ["W", "b"], 40)
    with torch.no_grad(): em.U.copy_(V)
    matched = one_to_one(preference_matrix(em.feature_values(r.x).detach(), r.labels, 40)).matched
    print(f"per-input top eigenvectors: matched {matched}/40, objective {objective(em, r.x):.4f}")


if __name__ == "__main__":
    main()
