#!/usr/bin/env python3
"""Golden fixture: the released CLOT modules and an official ASOT training step, run by torch,
forward and backward (torch autograd for every gradient).

Makes:   fixtures/golden/clot_released_modules.json
From:    github.com/elenabbbuenob/CLOT at 0a43eb961ca827334989be6a1a02d21262bba299, imported
         UNMODIFIED from a scratch copy given by --clot-src:
             src/feature_dispatching.py  FeatureDispatcher
             src/cross-att.py            cross_attention_refinement (file name has a hyphen:
                                         loaded with importlib.util.spec_from_file_location)
             src/transformer.py          Transformer / TransformerDecoder / TransformerDecoderLayer
                                         (built as build_transformer builds it), PositionalEncoding
         github.com/mingu6/action_seg_ot at 0c4c86b1037eb4c3e262197aeee115b31e220c9d, imported
         UNMODIFIED from a scratch copy given by --asot-src:
             src/train.py  VideoSSL (its MLP, its cluster parameter, training_step = the loss,
                           configure_optimizers = Adam)
             src/asot.py   segment_asot, temporal_prior (the pseudo-labels)
         Nothing of either repository is in this one.

Regenerate (from the repository root; CPU is enough, a few seconds):
    git clone https://github.com/elenabbbuenob/CLOT /tmp/released/clot
    git -C /tmp/released/clot checkout 0a43eb961ca827334989be6a1a02d21262bba299
    git clone https://github.com/mingu6/action_seg_ot /tmp/released/asot
    git -C /tmp/released/asot checkout 0c4c86b1037eb4c3e262197aeee115b31e220c9d
    pip install torch numpy einops          # used for the fixture: torch 2.15.0, numpy 2.4.6, einops 0.8.2
    python3 scripts/make_released_golden.py --clot-src /tmp/released/clot/src --asot-src /tmp/released/asot/src \
        --clot-git-dir /tmp/released/clot/.git --asot-git-dir /tmp/released/asot/.git \
        --out fixtures/golden/clot_released_modules.json
The script refuses to run unless both scratch copies are at the commits above (it hashes
the imported files against the clones' blobs when --clot-git-dir/--asot-git-dir exist, and
otherwise trusts --clot-commit/--asot-commit). Every input comes from numpy.random.RandomState
with fixed seeds, and torch runs single-threaded, so the same versions give the same bytes.

ASOT's train.py imports pytorch_lightning, wandb, matplotlib, sklearn and torchmetrics at module
level (through itself, utils.py and metrics.py). None of them takes part in training_step's
arithmetic, so this script puts small stand-ins for exactly those modules into sys.modules
before importing train.py (see `install_asot_import_stubs`): LightningModule is a torch
nn.Module whose `log` records the value and whose `save_hyperparameters` does nothing;
torchmetrics.Metric keeps `add_state` defaults as attributes; wandb.run is None; everything
else raises if called. train.py, asot.py, utils.py, metrics.py are used as they are.

Conventions of the file
- Dropout is 0 in every case: torch's dropout draws cannot be reproduced outside torch, so the
  decoder is built with dropout=0.0 (its six dropout sites are then identities).
- Every free input (features, weights, upstream gradients) is a float32 number: drawn in
  float64, rounded to float32, and written in the shortest decimal that reads back to that
  float32 (checked here). The float64 case runs on exactly these values widened to float64,
  the float32 case on the float32 values. A reader must round each input to Float first
  (Double(Float(x))) to get the float64 case's exact input. Outputs: float64 results are
  written in full (shortest round-trip double), float32 results as float32 numbers.
- Layout is the Swift package's: batch-first stacks of rows. A (B, T, D) tensor is written as
  (B*T) x D rows (video b, frame t is row b*T + t); the decoder's sequence-first (n, B, D) output
  is transposed to (B*n) x D. Linear and attention weights keep torch's out x in layout.
- Gradients are of the scalar sum(output * G) for a recorded upstream gradient G (modules), or of
  the training loss itself (ASOT step, CLOT loss).
- The whole CLOT loss is a torch composition written here (ASOT's MLP, the released
  FeatureDispatcher, Transformer and cross_attention_refinement, ASOT's solver for the
  pseudo-labels and its loss), once per configuration of --clot-loss-presets: "default" (the
  project's ReconstructionChoices defaults) and "released" (every choice as the released modules
  decide it); PRESETS below lists the choices by their `clot train --choice` names. Both use an
  FFN of 4*D units in place of the presets' 2048 (GOLDEN_FFN_WIDTH) to keep the file small.
"""
import argparse
import hashlib
import importlib
import importlib.machinery
import importlib.util
import json
import os
import platform
import subprocess
import sys
import types

CLOT_REPO = "elenabbbuenob/CLOT"
CLOT_COMMIT = "0a43eb961ca827334989be6a1a02d21262bba299"
ASOT_REPO = "mingu6/action_seg_ot"
ASOT_COMMIT = "0c4c86b1037eb4c3e262197aeee115b31e220c9d"
CLOT_FILES = ["src/feature_dispatching.py", "src/cross-att.py", "src/transformer.py"]
ASOT_FILES = ["src/train.py", "src/asot.py", "src/utils.py", "src/metrics.py", "src/video_dataset.py"]

np = torch = F = None          # imported in main()
DTYPES = {}                    # name -> torch dtype, filled in main()


# ---------------------------------------------------------------------------------------------
# Numbers in and out

def r32(a):
    """float64 array -> the same values rounded to float32, held as float64."""
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


def short32(v):
    """The shortest decimal that reads (as a double, then rounded to float32) back to float32 v."""
    f = np.float32(v)
    s = float(np.format_float_positional(f, unique=True, trim="-")) if abs(f) >= 1e-4 or f == 0 \
        else float(np.format_float_scientific(f, unique=True, trim="-"))
    assert np.float32(s) == f, (v, s)
    return s


def j32(x):
    """A float32 (or float32-representable) tensor/array as nested lists of short decimals."""
    a = x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)
    a = a.astype(np.float32)
    if a.ndim == 0:
        return short32(a)
    return np.vectorize(short32, otypes=[object])(a).tolist()


def j64(x):
    """A float64 tensor/array as nested lists of Python floats (shortest round-trip repr)."""
    a = x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)
    a = a.astype(np.float64)
    return float(a) if a.ndim == 0 else a.tolist()


def jout(x, dtype):
    return j64(x) if dtype == "float64" else j32(x)


def rows(x):
    """(B, T, D) -> (B*T, D); 2-D unchanged."""
    return x.reshape(-1, x.shape[-1])


def unit_rows(a):
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def tensor(a, dtype, grad=False):
    t = torch.tensor(np.asarray(a, dtype=np.float64), dtype=DTYPES[dtype])
    return t.requires_grad_(grad)


# ---------------------------------------------------------------------------------------------
# Importing the released code, unmodified

def file_blob_ok(src_root, git_dir, commit, rel):
    """True when src_root/<rel without src/> has the bytes of commit:rel in git_dir."""
    local = os.path.join(src_root, os.path.relpath(rel, "src"))
    with open(local, "rb") as f:
        mine = f.read()
    theirs = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{rel}"],
                            capture_output=True, check=True).stdout
    return mine == theirs


def check_sources(src, git_dir, commit, files, label):
    if git_dir and os.path.isdir(git_dir):
        bad = [f for f in files if not file_blob_ok(src, git_dir, commit, f)]
        if bad:
            sys.exit(f"{label}: {bad} differ from {commit} in {git_dir}: use an unmodified copy")
        return "verified against the git history"
    return "not verified (no git history given); trusted as the commit above"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_clot(src):
    sys.path.insert(0, os.path.abspath(src))
    fd = importlib.import_module("feature_dispatching")
    spec = importlib.util.spec_from_file_location("clot_cross_att", os.path.join(src, "cross-att.py"))
    ca = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ca)
    tr = importlib.import_module("transformer")
    return fd, ca, tr


def install_asot_import_stubs():
    """Stand-ins for the modules ASOT's train.py, utils.py and metrics.py import at module level
    but training_step never computes with. Returns their names (recorded in the fixture)."""
    def unavailable(name):
        def f(*args, **kwargs):
            raise RuntimeError(f"{name} is a stand-in in make_released_golden.py")
        return f

    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__spec__ = importlib.machinery.ModuleSpec(name, None)
        m.__dict__.update(attrs)
        def getattr_(attr):
            if attr.startswith("__"):
                raise AttributeError(attr)
            return unavailable(f"{name}.{attr}")
        m.__getattr__ = getattr_
        sys.modules[name] = m
        return m

    class LightningModule(torch.nn.Module):
        """pl.LightningModule as far as VideoSSL.__init__ and training_step use it."""
        def save_hyperparameters(self, *args, **kwargs):
            pass

        def log(self, name, value, *args, **kwargs):
            self.__dict__.setdefault("logged", {})[name] = value

    class Metric:
        """torchmetrics.Metric as far as ClusteringMetrics.__init__ uses it."""
        def __init__(self, *args, **kwargs):
            pass

        def add_state(self, name, default, dist_reduce_fx=None):
            setattr(self, name, default)

    module("pytorch_lightning", LightningModule=LightningModule)
    module("wandb", run=None)
    plt = module("matplotlib.pyplot")
    module("matplotlib", pyplot=plt)
    cluster = module("sklearn.cluster")
    mcluster = module("sklearn.metrics.cluster")
    metrics = module("sklearn.metrics", cluster=mcluster)
    module("sklearn", cluster=cluster, metrics=metrics)
    module("torchmetrics", Metric=Metric)
    return ["pytorch_lightning", "wandb", "matplotlib", "matplotlib.pyplot", "sklearn", "sklearn.cluster",
            "sklearn.metrics", "sklearn.metrics.cluster", "torchmetrics"]


def load_asot(src):
    stubs = install_asot_import_stubs()
    sys.path.insert(0, os.path.abspath(src))
    train = importlib.import_module("train")
    asot = importlib.import_module("asot")
    assert train.asot is asot
    for name in stubs:          # the imported modules keep their references; nothing else sees them
        del sys.modules[name]
    return train, asot, stubs


# ---------------------------------------------------------------------------------------------
# 1. Feature dispatching (src/feature_dispatching.py)

def fd_case(FD, name, B, T, K, D, real, ties, seed):
    """FeatureDispatcher on X (B, T, D) and C = A[None] (as CLOT passes self.clusters[None, ...]).
    `real`: real frames per video (the rest is padding, which the released module does not know).
    `ties`: (k, j) pairs making cluster row k a copy of row j, so S has exact ties in the argmax.
    Also the project's default variant, masked + renormalised: per video, the module on the
    real frames only (so padding enters no sum or count), then F.normalize; padded output rows 0,
    G zeroed on padded rows."""
    rs = np.random.RandomState(seed)
    X = r32(unit_rows(rs.randn(B, T, D)))
    A = unit_rows(rs.randn(K, D))
    for k, j in ties:
        A[k] = A[j]
    A = r32(A)
    alpha = float(r32(1 + 0.5 * rs.rand()))
    beta = float(r32(0.5 * rs.randn()))
    G = r32(rs.randn(B, T, D))
    case = {"name": name, "B": B, "T": T, "K": K, "D": D, "real_frames": real, "ties": [list(t) for t in ties],
            "X": j32(rows(X)), "A": j32(A), "sim_alpha": short32(alpha), "sim_beta": short32(beta),
            "G": j32(rows(G))}
    for dt in ("float64", "float32"):
        m = FD.FeatureDispatcher().to(DTYPES[dt])
        with torch.no_grad():
            m.sim_alpha.fill_(alpha)
            m.sim_beta.fill_(beta)
        Xt, At = tensor(X, dt, True), tensor(A, dt, True)
        out = m(Xt, At[None])
        (out * tensor(G, dt)).sum().backward()
        # The argmax the module takes (its own expression, recomputed here to record it).
        with torch.no_grad():
            sim = torch.sigmoid(m.sim_beta + m.sim_alpha * m.pairwise_cos_sim(At[None], Xt))
            idx = sim.max(dim=1).indices
            tied = (sim == sim.max(dim=1, keepdim=True).values).sum(dim=1) > 1
        released = {"output": jout(rows(out), dt), "dX": jout(rows(Xt.grad), dt), "dA": jout(At.grad, dt),
                    "d_sim_alpha": jout(m.sim_alpha.grad[0], dt), "d_sim_beta": jout(m.sim_beta.grad[0], dt),
                    "argmax": idx.reshape(-1).tolist(), "tied_frames": int(tied.sum())}
        # The project's default: padding masked out of the sums, output renormalised.
        m.zero_grad()
        Xt, At = tensor(X, dt, True), tensor(A, dt, True)
        outs, total = [], 0
        for b in range(B):
            o = F.normalize(m(Xt[b:b + 1, :real[b]], At[None]), dim=-1)
            total = total + (o * tensor(G[b:b + 1, :real[b]], dt)).sum()
            outs.append(torch.cat([o[0], torch.zeros(T - real[b], D, dtype=DTYPES[dt])]))
        total.backward()
        masked = {"output": jout(torch.cat(outs), dt), "dX": jout(rows(Xt.grad), dt), "dA": jout(At.grad, dt),
                  "d_sim_alpha": jout(m.sim_alpha.grad[0], dt), "d_sim_beta": jout(m.sim_beta.grad[0], dt)}
        case[dt] = {"released": released, "masked_renormalised": masked}
    return case


# ---------------------------------------------------------------------------------------------
# 2. Cross-attention refinement (src/cross-att.py)

def ca_case(CA, name, B, T, S, D, temp, query_scale, seed):
    """cross_attention_refinement(features (B, T, D), queries (B, S, D), temp). Features have
    unit rows; queries have norm `query_scale` (sqrt(D): as they leave the decoder's LayerNorm;
    1: renormalised)."""
    rs = np.random.RandomState(seed)
    Fe = r32(unit_rows(rs.randn(B, T, D)))
    Q = r32(query_scale * unit_rows(rs.randn(B, S, D)))
    G = r32(rs.randn(B, T, D))
    case = {"name": name, "B": B, "T": T, "S": S, "D": D, "temp": short32(temp), "query_norm": query_scale,
            "features": j32(rows(Fe)), "queries": j32(rows(Q)), "G": j32(rows(G))}
    for dt in ("float64", "float32"):
        f, q = tensor(Fe, dt, True), tensor(Q, dt, True)
        refined, weights = CA.cross_attention_refinement(f, q, float(np.float32(temp)))
        (refined * tensor(G, dt)).sum().backward()
        case[dt] = {"refined": jout(rows(refined), dt), "weights": jout(rows(weights), dt),
                    "d_features": jout(rows(f.grad), dt), "d_queries": jout(rows(q.grad), dt)}
    return case


# ---------------------------------------------------------------------------------------------
# 3. The sinusoid (src/transformer.py PositionalEncoding) and the decoder (src/transformer.py)

def released_positions(TR, d, dtype):
    """The released PositionalEncoding's table, (3000, d), built with `dtype` as torch's default."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(DTYPES[dtype])
    try:
        return TR.PositionalEncoding(d, dropout=0.0).pos_table[0].clone()
    finally:
        torch.set_default_dtype(old)


def positions_case(TR):
    """Rows of the released table (float64 and float32 defaults) and what its forward does."""
    out = {"max_len": 3000, "cases": []}
    for d, pick in ((8, list(range(0, 16)) + [255, 256, 1000, 2047, 2998, 2999]), (40, [0, 1, 2, 3, 100, 2999])):
        t64, t32 = released_positions(TR, d, "float64"), released_positions(TR, d, "float32")
        out["cases"].append({"D": d, "rows": pick, "table_float64": j64(t64[pick]),
                             "table_float32": j32(t32[pick]),
                             "max_abs_float32_minus_float64": float((t32.double() - t64).abs().max())})
    # What forward(x) does with x of shape [seq_len, batch, D], as its docstring asks: the table is
    # (1, 3000, D), so it broadcasts against the batch axis instead of being added per frame.
    pe = TR.PositionalEncoding(8, dropout=0.0)
    out["forward"] = []
    for shape in ((5, 1, 8), (5, 2, 8), (3001, 1, 8)):
        try:
            result = {"output_shape": list(pe(torch.zeros(*shape)).shape)}
        except RuntimeError as e:
            result = {"error": str(e).splitlines()[0]}
        out["forward"].append({"input_shape": list(shape), **result})
    return out


def causal_mask(n):
    """Bool attn_mask, True above the diagonal = query i may not see key j > i."""
    return torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)


def transformer_parameter_names(L):
    names = []
    for i in range(L):
        p = f"decoder.layers.{i}."
        for a in ("self_attn", "multihead_attn"):
            names += [p + a + ".in_proj_weight", p + a + ".in_proj_bias", p + a + ".out_proj.weight",
                      p + a + ".out_proj.bias"]
        names += [p + "linear1.weight", p + "linear1.bias", p + "linear2.weight", p + "linear2.bias"]
        for n in ("norm1", "norm2", "norm3"):
            names += [p + n + ".weight", p + n + ".bias"]
    return names + ["decoder.norm.weight", "decoder.norm.bias"]


def draw_decoder_weights(rs, D, L, ffn):
    """Every decoder parameter, off torch's initial point: weights uniform with xavier's bound,
    biases N(0, 0.1^2), LayerNorm weights 1 + N(0, 0.1^2)."""
    w = {}
    def xavier(o, i):
        return r32(rs.uniform(-1, 1, (o, i)) * np.sqrt(6 / (o + i)))
    for i in range(L):
        p = f"decoder.layers.{i}."
        for a in ("self_attn", "multihead_attn"):
            w[p + a + ".in_proj_weight"] = xavier(3 * D, D)
            w[p + a + ".in_proj_bias"] = r32(0.1 * rs.randn(3 * D))
            w[p + a + ".out_proj.weight"] = xavier(D, D)
            w[p + a + ".out_proj.bias"] = r32(0.1 * rs.randn(D))
        w[p + "linear1.weight"] = xavier(ffn, D)
        w[p + "linear1.bias"] = r32(0.1 * rs.randn(ffn))
        w[p + "linear2.weight"] = xavier(D, ffn)
        w[p + "linear2.bias"] = r32(0.1 * rs.randn(D))
        for n in ("norm1", "norm2", "norm3"):
            w[p + n + ".weight"] = r32(1 + 0.1 * rs.randn(D))
            w[p + n + ".bias"] = r32(0.1 * rs.randn(D))
    w["decoder.norm.weight"] = r32(1 + 0.1 * rs.randn(D))
    w["decoder.norm.bias"] = r32(0.1 * rs.randn(D))
    return w


def build_decoder(TR, D, heads, L, ffn, weights, dt):
    """The decoder as build_transformer builds it (return_intermediate_dec=True, post-norm),
    with dropout 0 and the given weights."""
    model = TR.Transformer(d_model=D, nhead=heads, num_decoder_layers=L, dim_feedforward=ffn, dropout=0.0,
                           return_intermediate_dec=True).to(DTYPES[dt])
    params = dict(model.named_parameters())
    assert sorted(params) == sorted(weights), sorted(set(params) ^ set(weights))
    with torch.no_grad():
        for k, v in weights.items():
            params[k].copy_(torch.tensor(v, dtype=DTYPES[dt]))
    model.train()   # dropout is 0; train mode keeps nn.MultiheadAttention on its documented (non-fast) path
    return model


def run_decoder(model, memory, pos, query_pos, tgt, frame_mask, causal):
    """memory (B, T, D), pos (T, D), query_pos (n, D), tgt (n, D) -> output (n, B, D), as CLOT
    calls Transformer.forward: src = memory sequence-first, mask = key padding (True = ignore)."""
    B, T, D = memory.shape
    n = query_pos.shape[0]
    _, hs = model(memory.transpose(0, 1), tgt[:, None, :].expand(n, B, D), ~frame_mask,
                  causal_mask(n) if causal else None, None, query_pos[:, None, :].expand(n, B, D),
                  pos[:, None, :].expand(T, B, D), None)
    assert hs.shape == (model.decoder.num_layers, n, B, D)
    return hs[-1]


def decoder_case(TR, name, B, T, n, D, heads, L, ffn, real, seed):
    """Both forms on the same inputs and weights: parallel and causal (tgt_mask)."""
    rs = np.random.RandomState(seed)
    weights = draw_decoder_weights(rs, D, L, ffn)
    memory = r32(unit_rows(rs.randn(B, T, D)) + 0.1 * rs.randn(B, T, D))
    query_pos = r32(rs.randn(n, D))
    G = r32(rs.randn(B, n, D))
    frame_mask = np.array([[t < real[b] for t in range(T)] for b in range(B)])
    pos64 = released_positions(TR, D, "float64")[:T]
    case = {"name": name, "B": B, "T": T, "segments": n, "D": D, "heads": heads, "layers": L, "ffn_width": ffn,
            "real_frames": real, "memory": j32(rows(memory)), "query_pos": j32(query_pos), "G": j32(rows(G)),
            "tgt": "zeros (n x D)", "pos": j64(pos64),
            "pos_note": "released PositionalEncoding table rows 0..T-1 (float64 default dtype); the float32 "
                        "case uses these values rounded to float32",
            "weights": {k: j32(v) for k, v in weights.items()}, "parameter_order": transformer_parameter_names(L)}
    for dt in ("float64", "float32"):
        case[dt] = {}
        for form, causal in (("parallel", False), ("causal", True)):
            model = build_decoder(TR, D, heads, L, ffn, weights, dt)
            mem = tensor(memory, dt, True)
            pos = pos64.to(DTYPES[dt]).clone().requires_grad_(True)
            qp = tensor(query_pos, dt, True)
            tgt = torch.zeros(n, D, dtype=DTYPES[dt], requires_grad=True)
            out = run_decoder(model, mem, pos, qp, tgt, torch.tensor(frame_mask), causal)
            (out * tensor(G, dt).transpose(0, 1)).sum().backward()
            case[dt][form] = {
                "output": jout(rows(out.transpose(0, 1)), dt), "d_memory": jout(rows(mem.grad), dt),
                "d_pos": jout(pos.grad, dt), "d_query_pos": jout(qp.grad, dt), "d_tgt": jout(tgt.grad, dt),
                "d_weights": {k: jout(p.grad, dt) for k, p in model.named_parameters()}}
    return case


def decoder_init_record(TR, D, heads, L, ffn, seed):
    """The released initialisation (Transformer._reset_parameters after the deep copies) of one
    decoder: which tensors are zero, which equal across layers, and their ranges."""
    torch.manual_seed(seed)
    model = TR.Transformer(d_model=D, nhead=heads, num_decoder_layers=L, dim_feedforward=ffn, dropout=0.0,
                           return_intermediate_dec=True)
    params = dict(model.named_parameters())
    record = {"D": D, "heads": heads, "layers": L, "ffn_width": ffn, "tensors": {}}
    for name in transformer_parameter_names(L):
        if not name.startswith("decoder.layers.0."):
            continue
        key = name[len("decoder.layers.0."):]
        vals = [params[f"decoder.layers.{i}.{key}"].detach() for i in range(L)]
        v = vals[0]
        record["tensors"][key] = {
            "all_zero": bool((v == 0).all()), "all_one": bool((v == 1).all()),
            "identical_in_every_layer": all(bool(torch.equal(v, u)) for u in vals[1:]),
            "max_abs": float(v.abs().max()), "numel": v.numel()}
    return record


# ---------------------------------------------------------------------------------------------
# 4. An official ASOT training step (src/train.py VideoSSL.training_step, src/asot.py)

ASOT_TRAIN = dict(alpha_train=0.4, ub_frames=False, ub_actions=True, lambda_frames_train=0.05,
                  lambda_actions_train=0.1, train_eps=0.07, radius_gw=0.04, n_ot_train=[25, 1], step_size=None,
                  temp=0.1, rho=0.2, lr=1e-3, weight_decay=1e-4)   # run_bf.sh's training settings


def draw_mlp(rs, sizes):
    out = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(i)
        out.append((r32(rs.uniform(-bound, bound, (o, i))), r32(rs.uniform(-bound, bound, o))))
    return out


def mlp_linears(mlp):
    """The nn.Linear layers of VideoSSL.mlp in order."""
    return [m for m in mlp.modules() if isinstance(m, torch.nn.Linear)]


class RecordingSolver:
    """Wraps asot.segment_asot (unchanged) to keep the pseudo-labels it returns."""
    def __init__(self, asot):
        self.asot, self.original, self.plans = asot, asot.segment_asot, []

    def __enter__(self):
        def wrapped(*args, **kwargs):
            plan, trace = self.original(*args, **kwargs)
            self.plans.append(plan.detach().clone())
            return plan, trace
        self.asot.segment_asot = wrapped
        return self

    def __exit__(self, *exc):
        self.asot.segment_asot = self.original


def asot_step_case(TRAIN, ASOT, name, sizes, K, B, T, real, seed):
    rs = np.random.RandomState(seed)
    layers = draw_mlp(rs, sizes)
    clusters = r32(rs.randn(K, sizes[-1]))          # not unit: training_step normalises them first
    X = r32(rs.randn(B, T, sizes[0]))
    frame_mask = np.array([[t < real[b] for t in range(T)] for b in range(B)])
    X[~frame_mask] = X[np.arange(B), np.array(real) - 1][:, None, :].repeat(T, 1)[~frame_mask]  # padding repeats
    case = {"name": name, "layer_sizes": sizes, "K": K, "B": B, "T": T, "real_frames": real,
            "settings": ASOT_TRAIN, "features": j32(rows(X)),
            "mlp": [{"weight": j32(w), "bias": j32(b)} for w, b in layers], "clusters": j32(clusters)}
    for dt in ("float64", "float32"):
        old = torch.get_default_dtype()
        torch.set_default_dtype(DTYPES[dt])      # so asot's ones/arange tensors have the case's dtype
        try:
            ssl = TRAIN.VideoSSL(layer_sizes=sizes, n_clusters=K, alpha_train=ASOT_TRAIN["alpha_train"],
                                 ub_frames=False, ub_actions=True, lambda_frames_train=0.05,
                                 lambda_actions_train=ASOT_TRAIN["lambda_actions_train"],
                                 train_eps=ASOT_TRAIN["train_eps"], radius_gw=ASOT_TRAIN["radius_gw"],
                                 n_ot_train=[25, 1], step_size=None, temp=ASOT_TRAIN["temp"], rho=ASOT_TRAIN["rho"],
                                 lr=ASOT_TRAIN["lr"], weight_decay=ASOT_TRAIN["weight_decay"], n_frames=T)
            with torch.no_grad():
                for lin, (w, b) in zip(mlp_linears(ssl.mlp), layers):
                    lin.weight.copy_(torch.tensor(w))
                    lin.bias.copy_(torch.tensor(b))
                ssl.clusters.copy_(torch.tensor(clusters))
            batch = (tensor(X, dt), torch.tensor(frame_mask), torch.zeros(B, T, dtype=torch.long),
                     [f"video{b}" for b in range(B)], torch.full((B,), K))
            with RecordingSolver(ASOT) as rec:
                loss = ssl.training_step(batch, 0)
            assert len(rec.plans) == 1
            loss.backward()
            normalised = ssl.clusters.detach().clone()
            opt = ssl.configure_optimizers()
            opt.step()
            lin = mlp_linears(ssl.mlp)
            case[dt] = {
                "loss": jout(loss, dt), "logged_train_loss": jout(ssl.logged["train_loss"], dt),
                "pseudo_labels": jout(rows(rec.plans[0]), dt), "clusters_normalised": jout(normalised, dt),
                "d_mlp": [{"weight": jout(l.weight.grad, dt), "bias": jout(l.bias.grad, dt)} for l in lin],
                "d_clusters": jout(ssl.clusters.grad, dt),
                "after_adam_step": {"mlp": [{"weight": jout(l.weight, dt), "bias": jout(l.bias, dt)} for l in lin],
                                    "clusters": jout(ssl.clusters, dt)}}
        finally:
            torch.set_default_dtype(old)
    return case


# ---------------------------------------------------------------------------------------------
# 5. The whole CLOT three-stage loss: a torch composition of the released modules and ASOT's
#    pieces, following the project's documented choices (a second implementation of the model;
#    only the modules come from the authors).

# The two configurations, in the names of `clot train --choice NAME=VALUE` (the project's
# ReconstructionChoices): its defaults, and the "released choices" preset, where every choice is
# what the released modules do. Only the choices that change the loss at fixed pseudo-labels
# matter here (the others move only the pseudo-labels, which are inputs, or the prediction).
PRESETS = {
    "default": {
        "fd-padding": "included", "fd-renormalise": "yes", "segment-renormalise": "yes",
        "refinement-segments": "raw", "position-index": "absolute", "memory-positions": "sinusoid",
        "decoder-target": "zero", "ffn-width": "2048", "refinement-temperature": 0.1, "encoder-dropout": 0,
        "encoder-gradient": "all-stages",
    },
}
PRESETS["released"] = dict(PRESETS["default"], **{"fd-renormalise": "no", "segment-renormalise": "no"})
CHOICE_VALUES = {
    "fd-padding": ("masked", "included"), "fd-renormalise": ("yes", "no"), "segment-renormalise": ("yes", "no"),
    "refinement-segments": ("renormalised", "raw"), "position-index": ("absolute",),
    "memory-positions": ("sinusoid",), "decoder-target": ("zero",), "encoder-dropout": (0,),
    "encoder-gradient": ("all-stages", "frame-stage-only"),
}
# The FFN width the whole-loss goldens use in place of the preset's: 2048 units at D = 8 would
# put 2 x 2 x 2048 x 8 weights per layer, and their gradients in two precisions, into the
# fixture (megabytes). The width changes only the shapes of linear1/linear2, never a code path;
# the decoder goldens hold the FFN at its own width, and the preset's width is recorded.
GOLDEN_FFN_WIDTH = "4d"


def check_choices(choices):
    for k, allowed in CHOICE_VALUES.items():
        if choices[k] not in allowed:
            sys.exit(f"choice {k}={choices[k]!r} is not supported by this script (supported: {allowed})")
    w = str(choices["ffn-width"])
    if not (w.isdigit() or (w.endswith("d") and w[:-1].isdigit())):
        sys.exit(f"choice ffn-width={w!r}: a number of units or a multiple of D such as 4d")


def ffn_width(text, D):
    return int(text[:-1]) * D if text.endswith("d") else int(text)


def clot_loss_case(FD, CA, TR, ASOT, TRAIN, name, preset, sizes, K, delta, heads, L, B, T, real, seed):
    choices = dict(PRESETS[preset])
    check_choices(choices)
    D = sizes[-1]
    n = max(1, K + delta)
    ffn = ffn_width(GOLDEN_FFN_WIDTH, D)
    rs = np.random.RandomState(seed)
    layers = draw_mlp(rs, sizes)
    clusters = r32(unit_rows(rs.randn(K, D)) * (1 + 0.05 * rs.randn(K, 1)))   # near-unit; normalised first
    alpha = float(r32(1 + 0.5 * rs.rand()))
    beta = float(r32(0.3 * rs.randn()))
    query_pos = r32(rs.randn(n, D))
    dec_weights = draw_decoder_weights(rs, D, L, ffn)
    X = r32(rs.randn(B, T, sizes[0]))
    frame_mask = np.array([[t < real[b] for t in range(T)] for b in range(B)])
    X[~frame_mask] = X[np.arange(B), np.array(real) - 1][:, None, :].repeat(T, 1)[~frame_mask]
    tau, tau_r, rho = 0.1, float(choices["refinement-temperature"]), 0.2
    case = {"name": name, "preset": preset, "choices": choices, "layer_sizes": sizes, "K": K, "segment_offset": delta,
            "segments": n, "heads": heads, "decoder_layers": L, "ffn_width": ffn,
            "ffn_width_note": f"the preset's ffn-width {choices['ffn-width']} replaced by {GOLDEN_FFN_WIDTH} "
                              "to keep the fixture small (only the FFN's shapes change)", "B": B, "T": T,
            "real_frames": real, "temperature": tau, "rho": rho, "asot_settings": ASOT_TRAIN,
            "features": j32(rows(X)), "mlp": [{"weight": j32(w), "bias": j32(b)} for w, b in layers],
            "clusters": j32(clusters), "sim_alpha": short32(alpha), "sim_beta": short32(beta),
            "query_pos": j32(query_pos), "decoder_weights": {k: j32(v) for k, v in dec_weights.items()}}
    for dt in ("float64", "float32"):
        old = torch.get_default_dtype()
        torch.set_default_dtype(DTYPES[dt])
        try:
            case[dt] = clot_loss_run(FD, CA, TR, ASOT, TRAIN, choices, sizes, K, n, heads, L, ffn, layers, clusters,
                                     alpha, beta, query_pos, dec_weights, X, frame_mask, real, tau, tau_r, rho, dt)
        finally:
            torch.set_default_dtype(old)
    return case


def clot_loss_run(FD, CA, TR, ASOT, TRAIN, choices, sizes, K, n, heads, L, ffn, layers, clusters, alpha, beta,
                  query_pos, dec_weights, X, frame_mask, real, tau, tau_r, rho, dt):
    B, T, _ = X.shape
    D = sizes[-1]
    ssl = TRAIN.VideoSSL(layer_sizes=sizes, n_clusters=K)       # the official MLP and cluster parameter
    fd = FD.FeatureDispatcher()
    decoder = build_decoder(TR, D, heads, L, ffn, dec_weights, dt)
    with torch.no_grad():
        for lin, (w, b) in zip(mlp_linears(ssl.mlp), layers):
            lin.weight.copy_(torch.tensor(w))
            lin.bias.copy_(torch.tensor(b))
        ssl.clusters.copy_(torch.tensor(clusters))
        fd.sim_alpha.fill_(alpha)
        fd.sim_beta.fill_(beta)
        ssl.clusters.data = F.normalize(ssl.clusters.data, dim=-1)        # as training_step does
    qp = torch.nn.Parameter(tensor(query_pos, dt))
    A = ssl.clusters
    mask = torch.tensor(frame_mask)
    x = tensor(X, dt)

    # Stage 1: encoder (ASOT's), then feature dispatching (released module).
    enc = F.normalize(ssl.mlp(x.reshape(-1, x.shape[-1])).reshape(B, T, D), dim=-1)
    if choices["fd-padding"] == "included":
        frames = fd(enc, A[None])
    else:   # padding out of every sum and count: the module on each video's real frames only
        parts = []
        for b in range(B):
            o = fd(enc[b:b + 1, :real[b]], A[None])[0]
            parts.append(torch.cat([o, enc[b, real[b]:]]))   # padded rows: never reach the loss
        frames = torch.stack(parts)
    if choices["fd-renormalise"] == "yes":
        frames = F.normalize(frames, dim=-1)
    later = frames.detach() if choices["encoder-gradient"] == "frame-stage-only" else frames

    # Stage 2: the released decoder on the frame memory, sinusoid positions, tgt 0.
    pos = released_positions(TR, D, "float64")[:T].to(DTYPES[dt])
    tgt = torch.zeros(n, D)
    raw = run_decoder(decoder, later, pos, qp, tgt, mask, False)
    raw = raw.transpose(0, 1)                                             # (B, n, D)
    segments = F.normalize(raw, dim=-1) if choices["segment-renormalise"] == "yes" else raw
    attend = segments if choices["refinement-segments"] == "renormalised" else raw

    # Stage 3: the released refinement.
    refined, _ = CA.cross_attention_refinement(later, attend, tau_r)

    # Pseudo-labels: the official solver on each stage's cost (held fixed; C_SW left out, it only
    # moves these fixed targets), with the prior on every stage.
    with torch.no_grad():
        prior_t = ASOT.temporal_prior(T, K, rho, "cpu")
        prior_n = ASOT.temporal_prior(n, K, rho, "cpu")
        kw = dict(eps=ASOT_TRAIN["train_eps"], alpha=ASOT_TRAIN["alpha_train"], radius=ASOT_TRAIN["radius_gw"],
                  ub_frames=False, ub_actions=True, lambda_frames=0.05,
                  lambda_actions=ASOT_TRAIN["lambda_actions_train"], n_iters=[25, 1], step_size=None)
        t_frames, _ = ASOT.segment_asot(1. - frames @ A.T[None] + prior_t, mask, **kw)
        t_segments, _ = ASOT.segment_asot(1. - segments @ A.T[None] + prior_n, None, **kw)
        t_refined, _ = ASOT.segment_asot(1. - refined @ A.T[None] + prior_t, mask, **kw)

    # The loss of ASOT's training_step, per stage; the segment stage has no padding.
    def stage(x, targets, m):
        codes = torch.exp(x @ A.T[None] / tau)
        codes = codes / codes.sum(dim=-1, keepdim=True)
        return -((targets * torch.log(codes + TRAIN.num_eps)) * m[..., None]).sum(dim=2).mean()
    l_frames = stage(frames, t_frames, mask)
    l_segments = stage(segments, t_segments, torch.ones(B, n, dtype=torch.bool))
    l_refined = stage(refined, t_refined, mask)
    total = l_frames + l_segments + l_refined
    total.backward()

    lin = mlp_linears(ssl.mlp)
    return {
        "loss": {"frames": jout(l_frames, dt), "segments": jout(l_segments, dt), "refined": jout(l_refined, dt),
                 "total": jout(total, dt)},
        "pseudo_labels": {"frames": jout(rows(t_frames), dt), "segments": jout(rows(t_segments), dt),
                          "refined": jout(rows(t_refined), dt)},
        "features": {"frames": jout(rows(frames), dt), "segments": jout(rows(segments), dt),
                     "refined": jout(rows(refined), dt)},
        "gradients": {
            "mlp": [{"weight": jout(l.weight.grad, dt), "bias": jout(l.bias.grad, dt)} for l in lin],
            "sim_alpha": jout(fd.sim_alpha.grad[0], dt), "sim_beta": jout(fd.sim_beta.grad[0], dt),
            "clusters": jout(A.grad, dt), "query_pos": jout(qp.grad, dt),
            "decoder": {k: jout(p.grad, dt) for k, p in decoder.named_parameters()}}}


# ---------------------------------------------------------------------------------------------

def versions():
    import einops
    return {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
            "einops": einops.__version__}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 epilog="example: python3 scripts/make_released_golden.py --clot-src /tmp/released/clot/src "
                                        "--asot-src /tmp/released/asot/src")
    ap.add_argument("--clot-src", required=True, help="src/ of an unmodified copy of CLOT at " + CLOT_COMMIT)
    ap.add_argument("--asot-src", required=True, help="src/ of an unmodified copy of action_seg_ot at " + ASOT_COMMIT)
    ap.add_argument("--clot-git-dir", default=None,
                    help="a git dir holding CLOT's history, to verify the copy (skipped if absent)")
    ap.add_argument("--asot-git-dir", default=None,
                    help="a git dir holding action_seg_ot's history, to verify the copy (skipped if absent)")
    ap.add_argument("--clot-loss-presets", default="default,released",
                    help="comma-separated configurations for the whole-loss cases (" + ", ".join(PRESETS) + ")")
    ap.add_argument("--out", default="fixtures/golden/clot_released_modules.json")
    args = ap.parse_args()

    global np, torch, F
    import numpy as np
    import torch
    import torch.nn.functional as F
    DTYPES.update(float64=torch.float64, float32=torch.float32)
    torch.set_num_threads(1)

    clot_check = check_sources(args.clot_src, args.clot_git_dir, CLOT_COMMIT, CLOT_FILES, "CLOT")
    asot_check = check_sources(args.asot_src, args.asot_git_dir, ASOT_COMMIT, ASOT_FILES, "ASOT")
    FD, CA, TR = load_clot(args.clot_src)
    TRAIN, ASOT, stubs = load_asot(args.asot_src)

    presets = [p for p in args.clot_loss_presets.split(",") if p]
    for p in presets:
        if p not in PRESETS:
            ap.error(f"--clot-loss-presets: unknown {p!r} (known: {', '.join(PRESETS)})")

    fixture = {
        "source": {
            "clot": {"repository": CLOT_REPO, "commit": CLOT_COMMIT, "files": CLOT_FILES, "check": clot_check,
                     "sha256": {f: sha256(os.path.join(args.clot_src, os.path.relpath(f, "src"))) for f in CLOT_FILES}},
            "asot": {"repository": ASOT_REPO, "commit": ASOT_COMMIT, "files": ASOT_FILES, "check": asot_check,
                     "sha256": {f: sha256(os.path.join(args.asot_src, os.path.relpath(f, "src"))) for f in ASOT_FILES},
                     "import_stand_ins": stubs},
            "versions": versions(),
            "script": "scripts/make_released_golden.py",
            "command": "python3 scripts/make_released_golden.py --clot-src CLOT/src --asot-src ASOT/src "
                       f"--clot-loss-presets {','.join(presets)} --out {args.out}",
        },
        "notes": [
            "Dropout is 0 everywhere: the decoder is built with dropout=0.0, since torch's dropout draws cannot be matched.",
            "Inputs are float32 values (shortest decimals): read each as Float, then widen, for the float64 case.",
            "Rows are batch-first stacks: (B, T, D) is written (B*T) x D; the decoder output (n, B, D) as (B*n) x D.",
            "Module gradients are of sum(output * G) for the recorded G; ASOT/CLOT gradients are of the loss.",
        ],
    }
    fixture["feature_dispatching"] = [
        fd_case(FD, "B1_T6_K3_D4", 1, 6, 3, 4, [6], [], 1),
        fd_case(FD, "B2_T7_K4_D5_padded", 2, 7, 4, 5, [7, 5], [], 2),
        fd_case(FD, "B2_T9_K5_D8_ties", 2, 9, 5, 8, [9, 6], [(3, 1)], 3),
    ]
    fixture["cross_attention_refinement"] = [
        ca_case(CA, f"B2_T5_S3_D8_temp{t}_{label}", 2, 5, 3, 8, t, scale, 10 + i)
        for i, (t, scale, label) in enumerate([(0.1, np.sqrt(8), "raw"), (0.1, 1.0, "unit"), (0.5, np.sqrt(8), "raw"),
                                               (2.0, 1.0, "unit")])
    ]
    fixture["positional_encoding"] = positions_case(TR)
    fixture["decoder"] = [decoder_case(TR, "B2_T6_n3_D8_h2_L2_ffn16", 2, 6, 3, 8, 2, 2, 16, [6, 4], 20)]
    fixture["decoder_initialisation"] = decoder_init_record(TR, 8, 2, 3, 32, 0)
    fixture["asot_training_step"] = [asot_step_case(TRAIN, ASOT, "B2_T10_6-10-8_K4", [6, 10, 8], 4, 2, 10, [10, 7], 30)]
    fixture["clot_loss"] = [
        clot_loss_case(FD, CA, TR, ASOT, TRAIN, p, p, [6, 10, 8], 4, 1, 2, 1, 2, 10, [10, 7], 40) for p in presets]

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
