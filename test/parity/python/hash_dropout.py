"""Our engine's seeded dropout masks, in torch, so a PyTorch run can share the masks of ours.

Reference only. Mirrors `dropout` in main/ml/graph/nn.ts: an element of a dropout site is kept when

  h1 = A * i + (S * seed + C * site)      (i: the element's row-major index, all int64 mod 2^64)
  h3 = (h1 * h1 + R + site) ** 2
  h3 > (floor(p * 2^32) << 32) - 2^63     (signed)

and kept elements are scaled by 1 / (1 - p). `site` numbers the graph's dropout calls from 1 in
the order the forward pass makes them; a BERT forward makes them in the same order as ours
(embeddings; per layer attention probabilities, attention output, feed-forward output; the head).

`shared_dropout(seed)` is a context manager that swaps torch.nn.functional.dropout — which
nn.Dropout and transformers' eager attention both call — for these masks while one forward pass
runs, counting sites as it goes. Integer overflow in torch's int64 multiply wraps as ONNX's does.
"""

import contextlib
import json
import sys

import torch


def _wrap(v):
    """A Python int reduced to the signed int64 it is mod 2^64."""
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= 1 << 63 else v


# Odd 64-bit constants (golden ratio, splitmix64's multipliers), as signed int64 — as in nn.ts.
A = _wrap(0x9E3779B97F4A7C15)
S = _wrap(0xBF58476D1CE4E5B9)
C = _wrap(0x94D049BB133111EB)
R = _wrap(0x632BE59BD9B4E019)


def keep_mask(shape, p, seed, site):
    """Boolean keep-mask of the given shape: exactly the elements our graph keeps."""
    count = 1
    for d in shape:
        count *= d
    h1 = torch.arange(count, dtype=torch.int64) * A + _wrap(seed * S + site * C)
    h2 = h1 * h1 + _wrap(R + site)
    h3 = h2 * h2
    threshold = (int(p * 2**32) << 32) - (1 << 63)
    return (h3 > threshold).reshape(shape)


@contextlib.contextmanager
def shared_dropout(seed):
    """Within the block, F.dropout(x, p, training=True) applies our mask for the next site."""
    original = torch.nn.functional.dropout
    sites = [0]

    def dropout(x, p=0.5, training=True, inplace=False):
        if not training or p <= 0:
            return x
        sites[0] += 1
        keep = keep_mask(tuple(x.shape), p, seed, sites[0])
        return torch.where(keep, x * (1.0 / (1.0 - p)), torch.zeros((), dtype=x.dtype))

    torch.nn.functional.dropout = dropout
    try:
        yield sites
    finally:
        torch.nn.functional.dropout = original


if __name__ == '__main__':
    # python hash_dropout.py '[[shape, p, seed, site], …]': one line of 0/1 per mask (parity test).
    for shape, p, seed, site in json.loads(sys.argv[1]):
        print(''.join('1' if k else '0' for k in keep_mask(tuple(shape), p, seed, site).flatten().tolist()))
