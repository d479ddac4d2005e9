#!/usr/bin/env python3
"""Makes fixtures/golden/adam_torch.json: torch.optim.Adam with L2 weight decay (not AdamW)
on fixed parameters and a fixed sequence of gradients, in float64, so the project's Adam can
be checked step for step against the optimiser the official training uses.

Regenerate with:  python3 scripts/make_adam_golden.py   (needs torch)
"""
import json

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
rng = np.random.RandomState(0)
cases = []
for lr, wd in [(1e-3, 1e-4), (5e-3, 0.0), (1e-2, 1e-1)]:
    p0 = rng.randn(7)
    grads = [rng.randn(7) for _ in range(6)]
    p = torch.nn.Parameter(torch.tensor(p0))
    opt = torch.optim.Adam([p], lr=lr, weight_decay=wd)
    trace = []
    for g in grads:
        opt.zero_grad()
        p.grad = torch.tensor(g)
        opt.step()
        trace.append(p.detach().numpy().tolist())
    cases.append({"lr": lr, "weight_decay": wd, "initial": p0.tolist(),
                  "gradients": [g.tolist() for g in grads], "parameters_after_each_step": trace})
with open("fixtures/golden/adam_torch.json", "w") as f:
    json.dump({"source": f"torch {torch.__version__} torch.optim.Adam (default betas, eps)", "cases": cases}, f)
