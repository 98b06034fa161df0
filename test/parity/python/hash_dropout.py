"""Our engine's seeded dropout masks, in torch, so a PyTorch run can share the masks of ours.

Reference only. Mirrors `dropout` in main/ml/graph/nn.ts: an element of a dropout site is kept when

  a = S1 seed + C1 site,  c = 2 (S2 seed + C2 site) + 1,  b = S3 seed + C3 site + R
  h2 = (A i + a) * (2A i + c) + b      (i: the element's row-major index; all int32 mod 2^32)
  h3 = h2 * h2
  h3 > floor(p * 2^32) - 2^31          (signed)

and kept elements are scaled by 1 / (1 - p). `site` numbers the graph's dropout calls from 1 in
the order the forward pass makes them; a BERT forward makes them in the same order as ours
(embeddings; per layer attention probabilities, attention output, feed-forward output; the head).

`shared_dropout(seed)` is a context manager that swaps torch.nn.functional.dropout — which
nn.Dropout and transformers' eager attention both call — for these masks while one forward pass
runs, counting sites as it goes. The arithmetic is torch's int32, which wraps mod 2^32 as ONNX's int32
does in our graph (test/parity/dropout-masks.test.ts checks the masks element for element against
the graph). As in the graph, A i and 2A i are computed once per element count and reused by every
site: an earlier version hashed in int64 (emulating 32-bit products with 16-bit halves), which
cost 1.5 s per attention-probability site at 16 x 256 tokens on a 2-core CPU, ~9 s per replayed
step of `parity:accuracy -- --shared-streams`, most of its time.
"""

import contextlib
import json
import sys

import torch

M = (1 << 32) - 1

# Odd 32-bit constants (golden ratio; murmur3's and xxhash's multipliers) — as in nn.ts.
A = 0x9E3779B9
S1, S2, S3 = 0x85EBCA6B, 0x27D4EB2F, 0x7FEB352D
C1, C2, C3 = 0xC2B2AE35, 0x165667B1, 0x846CA68B
R = 0x632BE59B


def keep_mask(shape, p, seed, site):
    """Boolean keep-mask of the given shape: exactly the elements our graph keeps."""
    count = 1
    for d in shape:
        count *= d
    seed &= M
    a = (S1 * seed + C1 * site) & M
    c = (2 * (S2 * seed + C2 * site) + 1) & M
    b = (S3 * seed + C3 * site + R) & M
    ai, a2i = _scaled_index(count)
    h = ai + _int32(a)
    h.mul_(a2i + _int32(c))
    h.add_(_int32(b))
    h.mul_(h)
    return (h > int(p * 2**32) - (1 << 31)).reshape(shape)


_scaled = {}


def _scaled_index(count):
    """A i and 2A i (int32, wrapped) for i < count: shared by every site with that many elements."""
    if count not in _scaled:
        if count >= 1 << 31:
            raise ValueError(f'dropout site of {count} elements: indices exceed int32')
        if len(_scaled) >= 4:  # a pass has 3 sizes (hidden, attention, head); lengths vary by step
            del _scaled[next(iter(_scaled))]
        i = torch.arange(count, dtype=torch.int32)
        _scaled[count] = (i * _int32(A), i * _int32((2 * A) & M))
    return _scaled[count]


def _int32(v):
    """The signed int32 whose bits are v mod 2^32."""
    v &= M
    return v - (1 << 32) if v >= 1 << 31 else v


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
