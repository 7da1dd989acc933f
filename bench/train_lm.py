"""Stand-in training benchmark (not a test): where a training step's time goes, and what each change to the recipe buys.

One step of 16 x 128 tokens of the TinyStories-1M architecture (forward, backward, AdamW), timed four ways in one run:
  plain       Hugging Face logits + cross-entropy, dropout 0.1 everywhere (the recipe before `train_language_model`'s changes)
  no-attn-dropout   the same without attention dropout (its [batch, heads, ctx, ctx] mask)
  chunked     + `LinearCrossEntropy` in float32 (the [tokens, vocab] logits never exist whole)
  chunked-bf16      + its products in bfloat16 (what `train_language_model` uses where the CPU has native bfloat16)
Usage: python bench/train_lm.py [--repeats 5]
"""
import argparse, time
import torch
from transformers import GPTNeoForCausalLM
from sparse_eigendecomp.architectures import tinystories_config
from sparse_eigendecomp.language_model import LinearCrossEntropy, training_head_dtype


def make_step(attention_dropout: float, head: str):
    torch.manual_seed(0)
    config = tinystories_config(dropout=0.1)
    config.attention_dropout = attention_dropout
    model = GPTNeoForCausalLM(config).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    batch = torch.randint(0, 50257, (16, 129), generator=torch.Generator().manual_seed(0))
    def step():
        if head == "plain":
            loss = torch.nn.functional.cross_entropy(model(batch[:, :-1]).logits.flatten(0, 1), batch[:, 1:].flatten())
        else:
            hidden = model.transformer(batch[:, :-1]).last_hidden_state.flatten(0, 1)
            loss = LinearCrossEntropy.apply(hidden, model.lm_head.weight, batch[:, 1:].flatten(), 256,
                                            torch.bfloat16 if head == "chunked-bf16" else None)
        opt.zero_grad(); loss.backward(); opt.step()
    return step


def median_seconds(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; native bfloat16 here: {training_head_dtype() == torch.bfloat16}")
    settings = {"plain": (0.1, "plain"), "no-attn-dropout": (0.0, "plain"), "chunked": (0.0, "chunked"), "chunked-bf16": (0.0, "chunked-bf16")}
    seconds = {name: median_seconds(make_step(*s), args.repeats) for name, s in settings.items()}
    for name, s in seconds.items():
        print(f"{name:16s} {s:.3f} s/step  {16 * 128 / s:6.0f} tokens/s  {seconds['plain'] / s:.2f}x")
    print(f"train_step_speedup={seconds['plain'] / seconds['chunked-bf16']:.2f}")


if __name__ == "__main__":
    main()
