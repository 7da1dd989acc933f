"""Device check: does the whole method work on this machine's accelerator? One command, under 5 minutes.

On the chosen device (default: `auto`, i.e. CUDA, else MPS, else the CPU) it
1. checks the curvature kernel against dense per-sample Hessians in float64 (both methods, MSE and KL) on a small MLP
   and on a tiny model of every supported family (`W_K` by TransformerLens name, KL per token);
2. checks that the device gives the CPU's feature values (float32, tiny GPT-2) and that an eigenmodel checkpoint saved
   on the device loads onto the CPU with the same directions;
3. runs a short token experiment (tiny Llama-style model, 2 epochs) and checks that U, the optimizer state and the held-out
   values came out finite with unit rows, on the device.

Last line: `device_ok=true|false device=<name>`. The test suite runs on the CPU; this is the check for a GPU.
"""
import argparse, tempfile, time
import torch


def check(device: torch.device) -> dict:
    from torch import nn
    from sparse_eigendecomp.testing import FAMILIES, tiny_causal_lm, kernel_errors, unit_rows, relative_error
    from sparse_eigendecomp.params import select_params
    from sparse_eigendecomp.curvature import feature_values
    from sparse_eigendecomp.eigenmodel import EigenModel
    from sparse_eigendecomp.transformer import transformer_experiment
    results = {}
    float64 = device.type != "mps"  # MPS has no float64
    dtype = torch.float64 if float64 else torch.float32
    tol = 1e-6 if float64 else 1e-3
    mlp = nn.Sequential(nn.Linear(3, 8), nn.GELU(), nn.Linear(8, 4)).to(device, dtype)
    x = torch.randn(16, 3, generator=torch.Generator().manual_seed(0)).to(device, dtype)
    for div in ("mse", "kl"):
        results[f"mlp_{div}"] = max(kernel_errors(mlp, x, unit_rows(5, 32).to(device, dtype), ["0.weight", "0.bias"], div).values())
    tokens = torch.randint(0, 50, (2, 6), generator=torch.Generator().manual_seed(1)).to(device)
    for family in FAMILIES:
        lm = tiny_causal_lm(family, dtype=dtype).to(device)
        U = unit_rows(3, select_params(lm, "blocks.1.attn.W_K").n_params).to(device, dtype)
        results[f"{family}_W_K"] = max(kernel_errors(lm, tokens, U, "blocks.1.attn.W_K", "kl").values())
    ok = all(err < tol for err in results.values())

    cpu_lm, dev_lm = tiny_causal_lm("gpt2"), tiny_causal_lm("gpt2").to(device)
    U = unit_rows(3, select_params(cpu_lm, "blocks.1.attn.W_K").n_params, dtype=torch.float32)
    results["cpu_vs_device"] = relative_error(feature_values(dev_lm, tokens, U.to(device), "blocks.1.attn.W_K", "kl").cpu(),
                                              feature_values(cpu_lm, tokens.cpu(), U, "blocks.1.attn.W_K", "kl"))
    ok &= results["cpu_vs_device"] < 1e-3
    em = EigenModel(dev_lm, "blocks.1.attn.W_K", 3, "kl", seed=0)
    with tempfile.TemporaryDirectory() as d:
        em.save(d + "/em")
        ok &= torch.equal(EigenModel.load(d + "/em", tiny_causal_lm("gpt2")).U.detach(), em.U.detach().cpu())

    lm = tiny_causal_lm("llama").to(device)
    train = torch.randint(0, 50, (12, 16), generator=torch.Generator().manual_seed(2))
    run = transformer_experiment(lm, train, train[:4], "blocks.1.attn.W_K", n_features=4, epochs=2, batch_size=4, progress=False)
    U = run.em.U.detach()
    results["experiment_device"] = str(U.device)
    ok &= U.device.type == device.type and bool(torch.isfinite(run.held_out_values).all())
    ok &= bool(torch.allclose(U.norm(dim=1), torch.ones(4, device=U.device), atol=1e-4))
    results["ok"] = bool(ok)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    args = ap.parse_args()
    from sparse_eigendecomp.language_model import resolve_device
    device = resolve_device(args.device)
    t0 = time.perf_counter()
    results = check(device)
    for key, value in results.items():
        print(f"{key}: {value:.2e}" if isinstance(value, float) else f"{key}: {value}")
    print(f"{time.perf_counter() - t0:.1f}s on {device}" + ("" if device.type != "cpu" else " (no accelerator here: the CPU was checked)"))
    print(f"device_ok={str(results['ok']).lower()} device={device}")


if __name__ == "__main__":
    main()
