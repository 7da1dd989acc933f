"""Whole-model benchmark (not a test): a fit step over every attention and MLP weight of the shipped stand-in.

On the shipped TinyStories stand-in (models/tinystories-standin, TinyStories-1M's architecture: 8 blocks, d_model 64),
with the selection `params="all"` (every W_Q, W_K, W_V, W_O, W_in, W_out: 393,216 weights) and 10 directions, it times
(median of 3 after a warm-up) one bi-level step of `fit` (both updates) on 16 contexts of 64 tokens, the original
note's batch, on the path `transformer_experiment` takes (the per-token output Hessian precomputed, as for d_model 64),
against one forward and backward pass of the language-model loss on the same contexts (all weights), and reports the
peak resident memory of the process. Last line: `whole_model_step_over_fwdbwd=<x> peak_gb=<y>`.
Usage: python bench/whole_model.py [--model DIR] [--features 10]
"""
import argparse, resource
import torch
from architectures import median_seconds   # (bench/architectures.py: median of 3 after a warm-up)
from sparse_eigendecomp.architectures import hf_model_of
from sparse_eigendecomp.language_model import load_language_model, repository_data
from sparse_eigendecomp.optimizer import fit
from sparse_eigendecomp.transformer import load_contexts, prepare_tokens, token_eigenmodel, keep_freed_memory


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="models/tinystories-standin", help="a local checkpoint (default: the shipped stand-in)")
    ap.add_argument("--features", type=int, default=10, help="directions k")
    args = ap.parse_args()
    keep_freed_memory()
    model, tok = load_language_model(args.model)
    tokens = load_contexts(repository_data("tinystories/tinystories-1000.txt"), tok, 16, 16, 64).train
    hf = hf_model_of(model)   # (the loader may wrap it in a TransformerLens bridge)
    for p in hf.parameters(): p.requires_grad_(True)

    def fwd_bwd():
        hf.zero_grad(set_to_none=True)
        hf(tokens, labels=tokens).loss.backward()
    fwd_bwd_s = median_seconds(fwd_bwd)
    hf.zero_grad(set_to_none=True)
    em = token_eigenmodel(model, "all", n_features=args.features, seed=0)   # freezes the model
    data = prepare_tokens(em.model, model, tokens)
    step_s = median_seconds(lambda: fit(em, data.resid, output_hessian=data.output_hessian, epochs=1, batch_size=16, lr=0.1, progress=False))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"{args.model}: {em.n_params} weights selected ({len(em.sel.names)} tensors), k = {args.features}, 16 x 64 tokens; "
          f"fwd+bwd {fwd_bwd_s:.3f}s, fit step {step_s:.3f}s (output Hessian precomputed: {data.output_hessian is not None}; "
          f"prepared in {data.seconds:.2f}s), peak {peak:.2f} GB; torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"whole_model_step_over_fwdbwd={step_s / fwd_bwd_s:.2f} peak_gb={peak:.2f}")


if __name__ == "__main__":
    main()
