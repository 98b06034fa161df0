"""PyTorch side of test/parity/torch-checkpoint.test.ts.

save OUT MINILM_DIR   writes MiniLM as pytorch_model.bin variants (float32, float16, bfloat16,
                      sharded, views with offsets/strides/shared storages, pickle protocol 4)
                      under OUT/<variant>/.
ref FILE... OUT       torch.load(weights_only=True) of each checkpoint (a .bin or an index.json),
                      written as float32 OUT/<i>.safetensors (integer buffers left out).
unsafe-load FILE      plain pickle.load of FILE's data.pkl: proves a hostile payload really runs
                      when a checkpoint is loaded without restrictions.
"""

import json
import os
import pickle
import sys
import zipfile
from collections import OrderedDict

import torch
from safetensors.torch import load_file, save_file


def variant_dir(out, name):
    path = os.path.join(out, name)
    os.makedirs(path, exist_ok=True)
    return path


def views(sd):
    """Same values as sd, stored the awkward ways real checkpoints can: transposed (non-contiguous),
    slices of one shared flat storage (offsets), a strided view and a tied weight."""
    out = OrderedDict()
    names = list(sd)
    flat_names = [n for n in names if n.endswith(".bias")][:6]
    flat = torch.cat([sd[n].flatten() for n in flat_names])
    at = 0
    for n in names:
        v = sd[n]
        if n in flat_names:
            out[n] = flat[at : at + v.numel()].view(v.shape)
            at += v.numel()
        elif v.dim() == 2 and v.dtype == torch.float32 and "query" in n:
            out[n] = v.t().contiguous().t()  # non-contiguous, strides (1, rows)
        elif v.dim() == 2 and v.dtype == torch.float32 and "key.weight" in n:
            wide = torch.zeros(v.shape[0], v.shape[1] * 2)
            wide[:, ::2] = v
            out[n] = wide[:, ::2]  # strides (2 * cols, 2)
        else:
            out[n] = v
    # A tied MLM decoder: the same tensor under two names (one storage in the file).
    out["cls.predictions.decoder.weight"] = out["embeddings.word_embeddings.weight"]
    return out


def save(out, minilm):
    sd = OrderedDict(load_file(os.path.join(minilm, "model.safetensors")))
    floats = lambda dtype: OrderedDict(
        (k, v.to(dtype) if v.is_floating_point() else v) for k, v in sd.items()
    )
    torch.save(sd, os.path.join(variant_dir(out, "f32"), "pytorch_model.bin"))
    torch.save(floats(torch.float16), os.path.join(variant_dir(out, "f16"), "pytorch_model.bin"))
    torch.save(floats(torch.bfloat16), os.path.join(variant_dir(out, "bf16"), "pytorch_model.bin"))
    torch.save(views(sd), os.path.join(variant_dir(out, "views"), "pytorch_model.bin"))
    # Protocol 4 brings FRAME, MEMOIZE and SHORT_BINUNICODE instead of protocol 2's opcodes.
    torch.save(sd, os.path.join(variant_dir(out, "p4"), "pytorch_model.bin"), pickle_protocol=4)
    shard_dir = variant_dir(out, "sharded")
    names = list(sd)
    parts = [names[i::3] for i in range(3)]
    weight_map = {}
    for i, part in enumerate(parts):
        file = f"pytorch_model-{i + 1:05d}-of-00003.bin"
        torch.save(OrderedDict((n, sd[n]) for n in part), os.path.join(shard_dir, file))
        weight_map.update({n: file for n in part})
    with open(os.path.join(shard_dir, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f)


def load(path):
    if path.endswith(".index.json"):
        with open(path) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
        sd = OrderedDict()
        for file in files:
            sd.update(torch.load(os.path.join(os.path.dirname(path), file), weights_only=True))
        return sd
    return torch.load(path, weights_only=True, map_location="cpu")


def ref(files, out):
    os.makedirs(out, exist_ok=True)
    for i, path in enumerate(files):
        sd = load(path)
        floats = {k: v.float().clone().contiguous() for k, v in sd.items() if v.is_floating_point()}
        save_file(floats, os.path.join(out, f"{i}.safetensors"))
    print(json.dumps({"written": len(files)}))


def unsafe_load(path):
    with zipfile.ZipFile(path) as z:
        pkl = next(n for n in z.namelist() if n.endswith("/data.pkl"))
        try:
            pickle.loads(z.read(pkl))  # deliberately unrestricted: this is what we must never do
        except Exception as e:  # the payload has run by the time the state dict is rebuilt
            print(type(e).__name__)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "save":
        save(sys.argv[2], sys.argv[3])
    elif cmd == "ref":
        ref(sys.argv[2:-1], sys.argv[-1])
    elif cmd == "unsafe-load":
        unsafe_load(sys.argv[2])
    else:
        raise SystemExit(f"unknown command {cmd}")
