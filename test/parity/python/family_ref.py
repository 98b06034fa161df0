"""PyTorch + transformers reference for the BERT-family parity tests (roberta, xlm-roberta,
distilbert, electra, and bert itself): logits, gradients and a ten-step fine-tune.

Reference only (never part of the app). Run with the project venv (scripts/setup-python.sh):

  python family_ref.py tiny --type roberta --out DIR --seed 7 [--vocab 96 --hidden 32 ...]
      writes DIR/config.json + DIR/model.safetensors: a small random model of that type (every
      weight random, LayerNorm gains and biases included), saved with the family's task-model
      prefix ('roberta.', 'distilbert.', 'electra.', 'bert.') as a fine-tuned checkpoint is.
      roberta/xlm-roberta: pad id 1, one token type, positions offset by pad + 1; electra:
      --embedding (default 16) differs from --hidden, so embeddings_project exists.
  python family_ref.py run --spec SPEC.json [--spec SPEC2.json …]
      SPEC: { type, modelDir, headPath, head: 'cls'|'mean', outDir,
              headInit: {hidden, numLabels, seed} (writes headPath first: classifier, and for
              distilbert's cls head its pre_classifier),
              steps: [{ batch: { inputIds, attentionMask, tokenTypeIds, labels }, lr }],
              adamw: { beta1, beta2, eps, weightDecay, clipNorm } }
      Dropout off (model.eval()), float64. On the first step's batch, before any update: logits,
      loss and every gradient (before clipping). Then one AdamW step per spec step (mean
      cross-entropy, clip_grad_norm_, the HF decay groups). Prints one JSON line per spec:
      { logits, loss, trainable: [names], decay: [names], losses: [loss before each step] } and
      writes outDir/grads.safetensors and outDir/final.safetensors (params after the last step),
      float32, keyed by our param names (the checkpoint's names without the family prefix).

The classifier on top is ours, built the same way on both sides: 'cls' = the first token through
the family's pooler (BERT/RoBERTa: BertPooler-style dense + tanh; DistilBERT: pre_classifier +
ReLU, checked here against DistilBertForSequenceClassification itself; ELECTRA: none), 'mean' =
masked mean; then dropout + linear classifier.

  python family_ref.py tokenizer --kind unigram|bpe --corpus CORPUS.jsonl --out DIR
      trains a small tokenizer on the corpus' even-numbered texts (so the odd ones meet unseen
      words) with the `tokenizers` package and saves it with transformers (tokenizer.json +
      tokenizer_config.json): 'unigram' as XLM-RoBERTa's (SentencePiece Unigram, Metaspace,
      <s>=0 <pad>=1 </s>=2 <unk>=3, <mask> last), 'bpe' as RoBERTa's (byte-level BPE, same ids).
"""

import argparse
import json
import os
import sys

import torch
from safetensors.torch import load_file, save_file
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from bert_ref import adamw_for, decay_names  # noqa: E402

PREFIX = {
    'bert': 'bert',
    'roberta': 'roberta',
    'xlm-roberta': 'roberta',
    'distilbert': 'distilbert',
    'electra': 'electra',
}
WITH_POOLER = ('bert', 'roberta', 'xlm-roberta')


def classes(model_type):
    import transformers as t

    return {
        'bert': (t.BertConfig, t.BertModel),
        'roberta': (t.RobertaConfig, t.RobertaModel),
        'xlm-roberta': (t.XLMRobertaConfig, t.XLMRobertaModel),
        'distilbert': (t.DistilBertConfig, t.DistilBertModel),
        'electra': (t.ElectraConfig, t.ElectraModel),
    }[model_type]


def tiny_config(args):
    config_cls, _ = classes(args.type)
    common = dict(vocab_size=args.vocab, max_position_embeddings=args.max_positions)
    if args.type == 'distilbert':
        return config_cls(
            **common,
            dim=args.hidden,
            n_layers=args.layers,
            n_heads=args.heads,
            hidden_dim=args.intermediate,
            dropout=0.1,
            attention_dropout=0.1,
            seq_classif_dropout=0.2,
            pad_token_id=0,
        )
    bert_like = dict(
        **common,
        hidden_size=args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        intermediate_size=args.intermediate,
        layer_norm_eps=1e-12,
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
    )
    if args.type in ('roberta', 'xlm-roberta'):
        # As roberta-base: <s>=0, <pad>=1, </s>=2, one token type, positions from pad + 1.
        bert_like['max_position_embeddings'] = args.max_positions + 2
        return config_cls(
            **bert_like, type_vocab_size=1, pad_token_id=1, bos_token_id=0, eos_token_id=2
        )
    if args.type == 'electra':
        return config_cls(**bert_like, embedding_size=args.embedding, type_vocab_size=2, pad_token_id=0)
    return config_cls(**bert_like, type_vocab_size=2, pad_token_id=0)


def tiny(args):
    _, model_cls = classes(args.type)
    torch.manual_seed(args.seed)
    config = tiny_config(args)
    kwargs = {'add_pooling_layer': True} if args.type in WITH_POOLER else {}
    model = model_cls(config, **kwargs)
    norms = {n for n, m in model.named_modules() if isinstance(m, nn.LayerNorm)}
    with torch.no_grad():
        for name, p in model.named_parameters():
            owner, leaf = name.rsplit('.', 1)
            if owner in norms and leaf == 'weight':
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif leaf == 'bias':
                p.copy_(0.05 * torch.randn_like(p))
            else:
                # Larger than the usual 0.02 so attention is not uniform and gradients not tiny.
                p.copy_(0.2 * torch.randn_like(p))
    os.makedirs(args.out, exist_ok=True)
    config.architectures = [model_cls.__name__]
    config.to_json_file(os.path.join(args.out, 'config.json'))
    prefix = PREFIX[args.type] + '.'
    tensors = {prefix + k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, os.path.join(args.out, 'model.safetensors'))


def write_head(path, model_type, head, hidden, num_labels, seed):
    g = torch.Generator().manual_seed(seed)
    tensors = {
        'classifier.weight': 0.2 * torch.randn(num_labels, hidden, generator=g),
        'classifier.bias': 0.1 * torch.randn(num_labels, generator=g),
    }
    if model_type == 'distilbert' and head == 'cls':
        tensors['pre_classifier.weight'] = 0.2 * torch.randn(hidden, hidden, generator=g)
        tensors['pre_classifier.bias'] = 0.05 * torch.randn(hidden, generator=g)
    save_file(tensors, path)


class FamilyClassifier(nn.Module):
    """The family's base model under its own attribute name, then our cls/mean head."""

    def __init__(self, model_type, config, head, num_labels):
        super().__init__()
        _, model_cls = classes(model_type)
        self.model_type = model_type
        self.head = head
        self.prefix = PREFIX[model_type]
        kwargs = {'add_pooling_layer': head == 'cls'} if model_type in WITH_POOLER else {}
        setattr(self, self.prefix, model_cls(config, **kwargs))
        hidden = config.hidden_size
        if model_type == 'distilbert' and head == 'cls':
            self.pre_classifier = nn.Linear(hidden, hidden)
        p = config.seq_classif_dropout if model_type == 'distilbert' else config.hidden_dropout_prob
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(hidden, num_labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        kw = {'input_ids': input_ids, 'attention_mask': attention_mask}
        if self.model_type != 'distilbert':
            kw['token_type_ids'] = token_type_ids
        out = getattr(self, self.prefix)(**kw)
        hidden = out.last_hidden_state
        if self.head == 'mean':
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        elif self.model_type in WITH_POOLER:
            pooled = out.pooler_output
        elif self.model_type == 'distilbert':
            pooled = torch.relu(self.pre_classifier(hidden[:, 0]))
        else:
            pooled = hidden[:, 0]
        return self.classifier(self.dropout(pooled))


def ours(name, prefix):
    return name[len(prefix) + 1 :] if name.startswith(prefix + '.') else name


def load(spec):
    model_type = spec['type']
    config_cls, _ = classes(model_type)
    init = spec['headInit']
    write_head(spec['headPath'], model_type, spec['head'], init['hidden'], init['numLabels'], init['seed'])
    head_tensors = load_file(spec['headPath'])
    config = config_cls.from_json_file(os.path.join(spec['modelDir'], 'config.json'))
    config.num_labels = init['numLabels']
    config._attn_implementation = 'eager'
    torch.manual_seed(0)
    model = FamilyClassifier(model_type, config, spec['head'], init['numLabels'])
    state = dict(load_file(os.path.join(spec['modelDir'], 'model.safetensors')))
    state.update(head_tensors)
    missing, unexpected = model.load_state_dict(state, strict=False)
    unexpected = [u for u in unexpected if '.pooler.' not in u]
    if missing or unexpected:
        raise SystemExit(f'weights do not match the model: missing {missing}, unexpected {unexpected}')
    model = model.to(torch.float64)
    model.eval()
    if model_type == 'distilbert' and spec['head'] == 'cls':
        check_distilbert_head(config, state, model, spec)
    return model


def check_distilbert_head(config, state, model, spec):
    """Our DistilBERT cls head is DistilBertForSequenceClassification's: prove it on the batch."""
    from transformers import DistilBertForSequenceClassification

    hf = DistilBertForSequenceClassification(config)
    hf.load_state_dict(state, strict=True)
    hf = hf.to(torch.float64).eval()
    ids, mask, types = tensors(spec['steps'][0]['batch'])
    with torch.no_grad():
        a = hf(input_ids=ids, attention_mask=mask).logits
        b = model(ids, mask, types)
    if not torch.allclose(a, b, rtol=0, atol=1e-12):
        raise SystemExit('the distilbert cls head differs from DistilBertForSequenceClassification')


def tensors(b):
    return tuple(torch.tensor(b[k], dtype=torch.long) for k in ('inputIds', 'attentionMask', 'tokenTypeIds'))


def run_one(spec):
    model = load(spec)
    prefix = PREFIX[spec['type']]
    decay = decay_names(model)
    trainable = list(model.named_parameters())
    params = [p for _, p in trainable]
    a = spec['adamw']
    opt = adamw_for(trainable, decay, a)
    first = None
    losses = []
    for i, step in enumerate(spec['steps']):
        for group in opt.param_groups:
            group['lr'] = step['lr']
        b = step['batch']
        logits = model(*tensors(b))
        loss = nn.functional.cross_entropy(logits, torch.tensor(b['labels'], dtype=torch.long))
        opt.zero_grad()
        loss.backward()
        if i == 0:
            grads = {
                ours(n, prefix): (p.grad if p.grad is not None else torch.zeros_like(p))
                .detach()
                .to(torch.float32)
                .contiguous()
                for n, p in trainable
            }
            first = {'logits': logits.detach().tolist(), 'loss': loss.item()}
        losses.append(loss.item())
        nn.utils.clip_grad_norm_(params, a['clipNorm'])
        opt.step()
    final = {ours(n, prefix): p.detach().to(torch.float32).contiguous() for n, p in trainable}
    os.makedirs(spec['outDir'], exist_ok=True)
    save_file(grads, os.path.join(spec['outDir'], 'grads.safetensors'))
    save_file(final, os.path.join(spec['outDir'], 'final.safetensors'))
    json.dump(
        {
            **first,
            'trainable': [ours(n, prefix) for n, _ in trainable],
            'decay': [ours(n, prefix) for n, _ in trainable if n in decay],
            'losses': losses,
        },
        sys.stdout,
    )
    sys.stdout.write('\n')


def run(args):
    for path in args.spec:
        with open(path) as f:
            run_one(json.load(f))


def build_tokenizer(args):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers import processors, trainers
    from transformers import PreTrainedTokenizerFast

    with open(args.corpus, encoding='utf-8') as f:
        texts = [json.loads(line)['text'] for line in f if line.strip()][::2]
    specials = ['<s>', '<pad>', '</s>', '<unk>']
    if args.kind == 'unigram':
        tok = Tokenizer(models.Unigram())
        tok.normalizer = normalizers.Sequence(
            [normalizers.NFKC(), normalizers.Replace(Regex(' {2,}'), ' ')]
        )
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement='▁', prepend_scheme='always')
        tok.decoder = decoders.Metaspace(replacement='▁', prepend_scheme='always')
        trainer = trainers.UnigramTrainer(
            vocab_size=args.vocab, special_tokens=specials, unk_token='<unk>', shrinking_factor=0.75
        )
    else:
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=args.vocab,
            special_tokens=specials,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        )
    tok.train_from_iterator(texts, trainer)
    tok.add_special_tokens(['<mask>'])
    if args.kind == 'unigram':
        tok.post_processor = processors.TemplateProcessing(
            single='<s> $A </s>', pair='<s> $A </s> </s> $B </s>', special_tokens=[('<s>', 0), ('</s>', 2)]
        )
    else:
        tok.post_processor = processors.RobertaProcessing(('</s>', 2), ('<s>', 0), trim_offsets=True)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token='<s>',
        eos_token='</s>',
        sep_token='</s>',
        cls_token='<s>',
        unk_token='<unk>',
        pad_token='<pad>',
        mask_token='<mask>',
    )
    fast.save_pretrained(args.out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    t = sub.add_parser('tiny')
    t.add_argument('--type', required=True, choices=sorted(PREFIX))
    t.add_argument('--out', required=True)
    t.add_argument('--seed', type=int, default=7)
    t.add_argument('--vocab', type=int, default=96)
    t.add_argument('--hidden', type=int, default=32)
    t.add_argument('--embedding', type=int, default=16)
    t.add_argument('--layers', type=int, default=2)
    t.add_argument('--heads', type=int, default=4)
    t.add_argument('--intermediate', type=int, default=64)
    t.add_argument('--max-positions', type=int, default=40)
    r = sub.add_parser('run')
    r.add_argument('--spec', required=True, action='append', help='repeatable')
    k = sub.add_parser('tokenizer')
    k.add_argument('--kind', required=True, choices=['unigram', 'bpe'])
    k.add_argument('--corpus', required=True)
    k.add_argument('--out', required=True)
    k.add_argument('--vocab', type=int, default=600)
    args = ap.parse_args()
    {'tiny': tiny, 'run': run, 'tokenizer': build_tokenizer}[args.cmd](args)


if __name__ == '__main__':
    main()
