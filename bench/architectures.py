"""Benchmark: one training step of the token experiment on realistic shapes of every supported family.

For each family a random model of a realistic shape is built from its Hugging Face config (no download): TinyStories-1M
(GPT-Neo), GPT-2 small (12 layers, d_model 768), Pythia-70m's shape (GPT-NeoX, 6 layers, d_model 512) and a ~125M
Llama-style decoder (12 layers, d_model 768, 12 query and 4 key/value heads, gated MLP). With 10 directions on the
middle layer's `W_K` and 4 contexts of 64 tokens, it times (median of 3 after a warm-up):

- `fwd_bwd`: one forward and backward pass of the language-model loss (all weights), the usual unit of training cost;
- `step_readout`: one bi-level step of `fit` (both of its updates) with the KL behind the unembedding;
- `step_output_hessian`: the same step with the per-token output Hessian precomputed, where `transformer_experiment` would
  precompute it for the original note's setting (d_model < 6 x 10 features x 8 epochs = 480: building the output Hessian costs
  d_vocab x d_model^2 per token, which on wider models costs more than the readout it saves);
- `step_top_readout`: the step with the readout `transformer_experiment` uses without output Hessians (`TopReadout`:
  the entries at least 1e-7 likely at some token where certified, else the whole vocabulary), and what it did;
- `step_without_vocabulary`: the step with a precomputed d_model x d_model output Hessian per token (the identity): the
  tail's tangents and their backward with no vocabulary-sized product, a floor for any readout;
- `step`: the step on the path `transformer_experiment` takes (the output Hessian where chosen, else the top readout);

and the peak resident memory of the process. Each family runs in its own child process, one after the other (two
torch processes at once on a 2-core machine slow each other 3-6x). `--setting` also measures the original note's
setting (500 contexts of 64 tokens prepared, steps of 16 contexts, 10 features) on the GPT-2-small shape, where the
output Hessian (77 GB) does not fit and the readout path is taken: peak memory over two steps and seconds per step.

Last line: `worst_step_over_fwdbwd=<x>` (the largest `step` / `fwd_bwd` over families; target <= 4).
"""
import argparse, json, resource, statistics, subprocess, sys, time
import torch

FAMILIES = ("gpt_neo", "gpt2", "gpt_neox", "llama")


def build(family: str):
    "A random causal LM of a realistic shape for `family` (float32, eval mode)."
    import transformers as tf
    from sparse_eigendecomp.architectures import tinystories_config
    tf.utils.logging.set_verbosity_error()
    configs = {
        "gpt_neo": lambda: tinystories_config(),
        "gpt2": lambda: tf.GPT2Config(),  # GPT-2 small
        "gpt_neox": lambda: tf.GPTNeoXConfig(hidden_size=512, num_hidden_layers=6, num_attention_heads=8, intermediate_size=2048,
                                             vocab_size=50304, rotary_pct=0.25, max_position_embeddings=2048),  # Pythia-70m
        "llama": lambda: tf.LlamaConfig(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, num_key_value_heads=4,
                                        intermediate_size=2048, vocab_size=32000, max_position_embeddings=2048),
    }
    torch.manual_seed(0)
    return tf.AutoModelForCausalLM.from_config(configs[family]()).eval()


def median_seconds(fn, repeats=3):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return statistics.median(times)


def child(family: str, setting: bool) -> dict:
    from sparse_eigendecomp.architectures import n_layers
    from sparse_eigendecomp.transformer import token_eigenmodel, prepare_tokens, keep_freed_memory, output_hessian_pays_off, top_readout
    from sparse_eigendecomp.optimizer import fit
    keep_freed_memory()
    model = build(family)
    layer = n_layers(model) // 2
    vocab = model.config.vocab_size
    tokens = torch.randint(0, vocab, (4, 64), generator=torch.Generator().manual_seed(1))
    out = dict(family=family, layer=layer, n_params_model=sum(p.numel() for p in model.parameters()))

    def fwd_bwd():
        model.zero_grad(set_to_none=True)
        model(tokens, labels=tokens).loss.backward()
    for p in model.parameters(): p.requires_grad_(True)
    out["fwd_bwd_s"] = median_seconds(fwd_bwd)
    model.zero_grad(set_to_none=True)

    em = token_eigenmodel(model, f"blocks.{layer}.attn.W_K", n_features=10, seed=0)  # freezes the model
    out["n_params_selected"] = em.n_params
    step = lambda data: fit(em, data.resid, output_hessian=data.output_hessian, epochs=1, batch_size=4, lr=0.1, progress=False)
    out["step_readout_s"] = median_seconds(lambda: step(prepare_tokens(em.model, model, tokens, precompute_output_hessian=False)))
    out["output_hessian_chosen"] = output_hessian_pays_off(model.config.hidden_size, n_features=10, epochs=8)  # the original note's setting
    with top_readout(em) as record:
        out["step_top_readout_s"] = median_seconds(lambda: step(prepare_tokens(em.model, model, tokens, precompute_output_hessian=False)))
    out["top_readout"] = record.to_dict()
    d = model.config.hidden_size
    identity = torch.eye(d).expand(*tokens.shape, d, d).contiguous()
    resid = prepare_tokens(em.model, model, tokens, precompute_output_hessian=False).resid
    out["step_without_vocabulary_s"] = median_seconds(lambda: fit(em, resid, output_hessian=identity, epochs=1, batch_size=4, lr=0.1, progress=False))
    out["step_s"] = out["step_top_readout_s"]
    if out["output_hessian_chosen"]:
        with_output_hessian = prepare_tokens(em.model, model, tokens)
        out["step_output_hessian_s"] = out["step_s"] = median_seconds(lambda: step(with_output_hessian))
        out["output_hessian_prepare_s"] = with_output_hessian.seconds
    if setting:  # the original note's setting: 500 x 64 tokens prepared, steps of 16 contexts
        contexts = torch.randint(0, vocab, (500, 64), generator=torch.Generator().manual_seed(2))
        data = prepare_tokens(em.model, model, contexts, precompute_output_hessian=out["output_hessian_chosen"])
        out["setting_output_hessian_precomputed"] = data.output_hessian is not None
        t0 = time.perf_counter()
        fit(em, data.resid[:32], output_hessian=None if data.output_hessian is None else data.output_hessian[:32], epochs=1, batch_size=16, progress=False)
        out["setting_step_s"] = (time.perf_counter() - t0) / 2
    out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES)
    ap.add_argument("--setting", action="store_true", help="also measure the original note's setting on the GPT-2-small shape")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.setting)))
        return
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; one family at a time, each in its own process")
    rows = []
    for family in args.families:
        extra = ["--setting"] if args.setting and family == "gpt2" else []
        r = subprocess.run([sys.executable, __file__, "--child", family, *extra], capture_output=True, text=True)
        if r.returncode != 0: raise SystemExit(f"{family} failed:\n{r.stderr[-3000:]}")
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
        row = rows[-1]
        output_hessian = (f"step (output Hessian) {row['step_output_hessian_s']:.3f}s = {row['step_output_hessian_s'] / row['fwd_bwd_s']:.2f}x"
                  if row["output_hessian_chosen"] else "output Hessian not chosen (d_model >= 480)")
        top, fb = row["top_readout"], row["fwd_bwd_s"]
        print(f"{family:9s} layer {row['layer']:2d} W_K ({row['n_params_selected']:7d} weights of {row['n_params_model'] / 1e6:6.1f}M): "
              f"fwd+bwd {fb:.3f}s, step (readout KL) {row['step_readout_s']:.3f}s = {row['step_readout_s'] / fb:.2f}x, "
              f"(top readout) {row['step_top_readout_s']:.3f}s = {row['step_top_readout_s'] / fb:.2f}x [{top['tokens_top']} token values "
              f"from the kept entries, {top['tokens_exact']} in full, kept share up to {top['kept_share']:.2f}], "
              f"(no vocabulary) {row['step_without_vocabulary_s']:.3f}s = {row['step_without_vocabulary_s'] / fb:.2f}x, "
              f"{output_hessian}; peak {row['peak_rss_gb']:.2f} GB", flush=True)
        if "setting_step_s" in row:
            print(f"  original note's setting on this shape (500 x 64 tokens, steps of 16 contexts, output Hessian precomputed: "
                  f"{row['setting_output_hessian_precomputed']}): {row['setting_step_s']:.1f}s per step, peak {row['peak_rss_gb']:.2f} GB")
            print(f"gpt2_small_setting_peak_gb={row['peak_rss_gb']:.2f}")
    print(f"worst_step_over_fwdbwd={max(r['step_s'] / r['fwd_bwd_s'] for r in rows):.2f}")


if __name__ == "__main__":
    main()
