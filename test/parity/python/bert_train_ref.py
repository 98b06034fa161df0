"""PyTorch + transformers reference for the training-trajectory parity test: K AdamW steps.

Reference only. Run with the project venv:

  python bert_train_ref.py --spec SPEC.json [--spec SPEC2.json …]
      SPEC: the model part of bert_ref.py's spec (modelDir, headPath, headInit?, head,
            freezeEmbeddings?, freezeLayers?, dtype?) plus
            steps: [{ batch: { inputIds, attentionMask, tokenTypeIds, labels }, lr,
                      dropoutSeed? }],
            adamw: { beta1, beta2, eps, weightDecay, clipNorm },
            dev: { inputIds, attentionMask, tokenTypeIds },
            dropout?: bool.
      Without `dropout` it stays off (model.eval()). With it, the model trains with dropout on
      and every step draws our engine's masks for its dropoutSeed (hash_dropout.py), so the two
      engines drop the same elements. Every step is the trainer's recipe: mean cross-entropy,
      global-norm clipping, AdamW with the HF groups, the learning rate the spec gives for that
      step. Prints one JSON line per spec: { losses: [loss before each step], devLogits: [[…]]
      after the last step (dropout off), sites: dropout sites per forward pass }.
"""

import argparse
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from bert_ref import adamw_for, batch_tensors, load_classifier  # noqa: E402
from hash_dropout import shared_dropout  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--spec', required=True, action='append')
    args = ap.parse_args()
    for path in args.spec:
        with open(path) as f:
            run_one(json.load(f))


def run_one(spec):
    model, forward, trainable, decay = load_classifier(spec)
    with_dropout = bool(spec.get('dropout'))
    a = spec['adamw']
    opt = adamw_for(trainable, decay, a)
    params = [p for _, p in trainable]
    losses = []
    sites = 0
    if with_dropout:
        model.train()
    for step in spec['steps']:
        for group in opt.param_groups:
            group['lr'] = step['lr']
        b = step['batch']
        labels = torch.tensor(b['labels'], dtype=torch.long)
        if with_dropout:
            with shared_dropout(step['dropoutSeed']) as counted:
                logits = forward(*batch_tensors(b))
            sites = counted[0]
        else:
            logits = forward(*batch_tensors(b))
        loss = nn.functional.cross_entropy(logits, labels)
        opt.zero_grad()
        loss.backward()
        if a.get('clipNorm'):
            nn.utils.clip_grad_norm_(params, a['clipNorm'])
        opt.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        dev_logits = forward(*batch_tensors(spec['dev'])).tolist()
    json.dump({'losses': losses, 'devLogits': dev_logits, 'sites': sites}, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
