"""PyTorch + transformers reference for the training-trajectory parity test: K AdamW steps.

Reference only. Run with the project venv:

  python bert_train_ref.py --spec SPEC.json
      SPEC: the model part of bert_ref.py's spec (modelDir, headPath, headInit?, head,
            freezeEmbeddings?, freezeLayers?, dtype?) plus
            steps: [{ batch: { inputIds, attentionMask, tokenTypeIds, labels }, lr }],
            adamw: { beta1, beta2, eps, weightDecay, clipNorm },
            dev: { inputIds, attentionMask, tokenTypeIds }.
      Dropout stays off (the two engines draw masks from different random streams); every step
      is the trainer's recipe: mean cross-entropy, global-norm clipping, AdamW with the HF groups,
      the learning rate the spec gives for that step. Prints one JSON line:
      { losses: [loss before each step], devLogits: [[…]] after the last step }.
"""

import argparse
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from bert_ref import adamw_for, batch_tensors, load_classifier  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--spec', required=True)
    args = ap.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    _, forward, trainable, decay = load_classifier(spec)
    a = spec['adamw']
    opt = adamw_for(trainable, decay, a)
    params = [p for _, p in trainable]
    losses = []
    for step in spec['steps']:
        for group in opt.param_groups:
            group['lr'] = step['lr']
        b = step['batch']
        labels = torch.tensor(b['labels'], dtype=torch.long)
        loss = nn.functional.cross_entropy(forward(*batch_tensors(b)), labels)
        opt.zero_grad()
        loss.backward()
        if a.get('clipNorm'):
            nn.utils.clip_grad_norm_(params, a['clipNorm'])
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        dev_logits = forward(*batch_tensors(spec['dev'])).tolist()
    json.dump({'losses': losses, 'devLogits': dev_logits}, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
