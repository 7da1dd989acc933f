"""Diagnosis of the original objective on the transformer (not a test): where the shipped seed-0 features sit.

On the shipped stand-in and the shipped seed-0 fit of the original note's objective (nbs/results/transformer_original,
or --run-dir), for the held-out position that tops the most features: the top eigenvectors of that token's Hessian
H(x) (block Krylov on its Hessian-vector products), each feature's squared norm in their span, and that token's
trace against the distribution of all held-out tokens' traces (Hutchinson, 32 probes).
Writes nbs/results/ablation/outlier.json. Usage: python bench/outlier_diagnosis.py [--run-dir DIR] [--top 10]
"""
import argparse, json
from collections import Counter
from pathlib import Path
import torch
from sparse_eigendecomp.eigenmodel import EigenModel
from sparse_eigendecomp.files import atomic_write_text
from sparse_eigendecomp.language_model import load_language_model, repository_data
from sparse_eigendecomp.scorecard import SampleHessians, sample_traces, top_eigenvectors
from sparse_eigendecomp.transformer import load_contexts, prepare_tokens, token_eigenmodel


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run-dir", default="nbs/results/transformer_original")
    ap.add_argument("--top", type=int, default=10, help="eigenvectors of the outlier token's Hessian")
    ap.add_argument("--out", default="nbs/results/ablation/outlier.json")
    args = ap.parse_args()
    model, tok = load_language_model("models/tinystories-standin")
    split = load_contexts(repository_data("tinystories/tinystories-1000.txt"), tok, 500, 200, 64)
    em = token_eigenmodel(model, "blocks.4.attn.W_K", 10, 0)
    fitted = EigenModel.load(Path(args.run_dir) / "eigenmodel", em.model)
    report = json.loads((Path(args.run_dir) / "top_examples.json").read_text())
    tops = Counter((f["examples"][0]["context"], f["examples"][0]["pos"]) for f in report["features"])
    (context, pos), n_top = tops.most_common(1)[0]
    held = prepare_tokens(em.model, model, split.held_out)
    traces = sample_traces(SampleHessians(em, held.resid, held.output_hessian, 16), probes=32, seed=0).values.view(len(held), -1)
    h = SampleHessians(em, held.resid[[context]], held.output_hessian[[context]])
    weights = torch.zeros(held.resid.shape[1], dtype=em.w0.dtype); weights[pos] = 1       # this one position's Hessian
    eig = top_eigenvectors(lambda V: h.hvp(V, weights), em.n_params, args.top, iterations=12, seed=0)
    E = eig.vectors[0].to(fitted.U)                                                           # [top, n]
    U = torch.nn.functional.normalize(fitted.U.detach(), dim=1)
    in_span = (U @ E.T).square()                                                              # [k, top]
    features = [f["feature"] for f in report["features"] if (f["examples"][0]["context"], f["examples"][0]["pos"]) == (context, pos)]
    t = traces.flatten()
    result = dict(context=context, pos=pos, token=tok.decode([int(held.tokens[context, pos])]), features_topping_it=features,
                  trace=traces[context, pos].item(), trace_rank=int((t > traces[context, pos]).sum()), n_tokens=t.numel(),
                  trace_quantiles={q: t.quantile(q).item() for q in (0.5, 0.9, 0.99, 1.0)},
                  eigenvalues=eig.values[0].tolist(), krylov_residual=eig.residuals.max().item(),
                  share_of_trace_top=(eig.values[0] / traces[context, pos]).tolist(),
                  feature_norm_in_top_eigvecs={f: in_span[f].tolist() for f in range(len(U))})
    print(json.dumps({k: v for k, v in result.items() if k != "feature_norm_in_top_eigvecs"}, indent=1))
    for f in range(len(U)): print(f"feature {f}: squared norm in the top-{args.top} eigenvectors {in_span[f].sum():.3f}, "
                                   f"by eigenvector {[round(x, 2) for x in in_span[f].tolist()]}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(Path(args.out), json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
