"""Generator and discriminator: conditional recurrent networks over "chunked" time.

Both networks see a series of ``T`` steps as ``L = ceil(T / k)`` chunks of ``k``
consecutive steps (DoppelGANger's ``sample_len``): the recurrent cell runs ``L`` times,
not ``T``, which keeps long series fast and eases long-range structure.

The generator gets, per sequence, a latent vector held across all steps (it sets the
initial hidden state and is fed at every step) plus fresh noise at every step, a
learned class embedding, and the relative position in the series.  The discriminator
is a bidirectional RNN over the chunks with the class embedding at every step and a
projection term on the class (Miyato & Koyama, 2018); padded steps are masked out.

With ``reference=True`` (DAGAN, Antoniou et al. 2017) the generator also reads a real
series of the requested class, chunk by chunk beside its noise, and learns to draw
variations of it; the discriminator then judges *pairs* (series, reference), where a
real pair holds two different real series of one class, so that copying the
reference is as easy to spot as any other fake.
"""

from __future__ import annotations

import math

import torch
from torch import nn

_CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}


def even_pad(n_inputs, even_inputs):
    """Zero features to add so that a recurrent layer's input size is even.

    oneDNN's bf16 RNN kernels run about 2x slower on an odd input size (measured on 2
    cores of an AMX CPU: 0.033-0.050 s against 0.015-0.026 s per 2,048 x 24-step pass
    of a 2-layer, 64-unit LSTM, input sizes 24-34). The estimator pads bf16 fits only:
    float32 kernels run odd sizes as fast, so float32 fits keep ``even_inputs=False``."""
    return n_inputs % 2 if even_inputs else 0


def positions(n_chunks, batch, device, dtype):
    pos = torch.linspace(-1.0, 1.0, n_chunks, device=device, dtype=dtype) if n_chunks > 1 else (
        torch.zeros(1, device=device, dtype=dtype)
    )
    return pos.view(1, n_chunks, 1).expand(batch, n_chunks, 1)


class Generator(nn.Module):
    def __init__(self, *, n_channels, chunk, n_chunks, n_classes, latent_dim, noise_dim,
                 hidden_size, num_layers, cell, reference=False, even_inputs=False):
        super().__init__()
        self.n_channels, self.chunk, self.n_chunks = n_channels, chunk, n_chunks
        self.n_classes, self.latent_dim, self.noise_dim = n_classes, latent_dim, noise_dim
        self.hidden_size, self.num_layers, self.cell = hidden_size, num_layers, cell
        self.reference = reference
        emb = hidden_size // 4 if n_classes > 0 else 0
        self.embed = nn.Embedding(n_classes, emb) if n_classes > 0 else None
        cond = latent_dim + emb
        ref_in = chunk * n_channels + 1 if reference else 0  # reference chunk + its valid flag
        self.init_state = nn.Linear(cond, hidden_size * num_layers * (2 if cell == "lstm" else 1))
        n_in = noise_dim + cond + 1 + ref_in
        self.in_pad = even_pad(n_in, even_inputs)
        self.rnn = _CELLS[cell](n_in + self.in_pad, hidden_size, num_layers=num_layers,
                                batch_first=True)
        self.head = nn.Linear(hidden_size, chunk * n_channels)
        # a direct linear path from the reference chunk to the output chunk
        self.skip = nn.Linear(chunk * n_channels, chunk * n_channels, bias=False) if reference else None

    def forward(self, latent, noise, labels=None, ref=None, ref_valid=None):
        """ref: (b, L*k, C) scaled reference series (zero after its end); ref_valid: (b, L)."""
        b = latent.shape[0]
        cond = latent if self.embed is None else torch.cat([latent, self.embed(labels)], dim=1)
        h0 = torch.tanh(self.init_state(cond)).view(b, -1, self.num_layers, self.hidden_size)
        h0 = h0.permute(1, 2, 0, 3).contiguous()  # (states, layers, batch, hidden)
        state = (h0[0], h0[1]) if self.cell == "lstm" else h0[0]
        parts = [noise, cond.unsqueeze(1).expand(b, self.n_chunks, cond.shape[1]),
                 positions(self.n_chunks, b, noise.device, noise.dtype)]
        if self.reference:
            ref_chunks = ref.reshape(b, self.n_chunks, -1)
            parts += [ref_chunks, ref_valid.unsqueeze(2).to(noise.dtype)]
        if self.in_pad:
            parts.append(noise.new_zeros(b, self.n_chunks, self.in_pad))
        out, _ = self.rnn(torch.cat(parts, dim=2), state)
        # the output layers run in float32 even under bf16 autocast: bf16 keeps 8 bits of
        # mantissa, a visible staircase (steps of ~0.4 %) in the series themselves
        with torch.autocast(out.device.type, enabled=False):
            chunks = self.head(out.float())  # (b, L, k*C)
            if self.reference:
                chunks = chunks + self.skip(ref_chunks.float())
        return chunks.view(b, self.n_chunks * self.chunk, self.n_channels)


class Discriminator(nn.Module):
    def __init__(self, *, n_channels, chunk, n_chunks, n_classes, hidden_size, num_layers, cell,
                 reference=False, even_inputs=False):
        super().__init__()
        self.chunk, self.n_chunks, self.n_classes = chunk, n_chunks, n_classes
        self.reference = reference
        emb = hidden_size // 4 if n_classes > 0 else 0
        self.embed = nn.Embedding(n_classes, emb) if n_classes > 0 else None
        ref_in = chunk * n_channels * 2 + 1 if reference else 0
        n_in = chunk * n_channels * 2 + emb + 2 + ref_in
        self.in_pad = even_pad(n_in, even_inputs)
        self.rnn = _CELLS[cell](n_in + self.in_pad, hidden_size, num_layers=num_layers,
                                batch_first=True, bidirectional=True)
        feat = 4 * hidden_size
        self.features_dim = feat
        self.out = nn.Linear(feat, 1)
        self.project = nn.Embedding(n_classes, feat) if n_classes > 0 else None
        # auxiliary classifier (AC-GAN): makes the generator honour the requested class
        self.classify = nn.Linear(feat, n_classes) if n_classes > 1 else None

    def features(self, x, valid, labels=None, ref=None, ref_valid=None):
        """x: (b, L*k, C) scaled series (zero after each end); valid: (b, L) chunk mask.

        With ``reference=True``, ``ref``/``ref_valid`` are the paired reference series."""
        b = x.shape[0]

        def chunked(series):
            # first differences inside the series make local shape easy to see
            diffs = torch.diff(series, dim=1, prepend=series[:, :1])
            return [series.reshape(b, self.n_chunks, -1), diffs.reshape(b, self.n_chunks, -1)]

        parts = chunked(x) + [valid.unsqueeze(2).to(x.dtype),
                              positions(self.n_chunks, b, x.device, x.dtype)]
        if self.reference:
            parts += chunked(ref) + [ref_valid.unsqueeze(2).to(x.dtype)]
        if self.embed is not None:
            parts.append(self.embed(labels).unsqueeze(1).expand(b, self.n_chunks, -1))
        if self.in_pad:
            parts.append(x.new_zeros(b, self.n_chunks, self.in_pad))
        h, _ = self.rnn(torch.cat(parts, dim=2))  # (b, L, 2H)
        w = valid.to(h.dtype).unsqueeze(2)
        mean = (h * w).sum(1) / w.sum(1).clamp_min(1.0)
        peak = h.masked_fill(w == 0, -1e4).amax(1)
        return torch.cat([mean, peak], dim=1)

    def score(self, feats, labels=None):
        s = self.out(feats).squeeze(1)
        if self.project is not None:
            s = s + (self.project(labels) * feats).sum(1) / math.sqrt(feats.shape[1])
        return s

    def forward(self, x, valid, labels=None, ref=None, ref_valid=None):
        f = self.features(x, valid, labels, ref, ref_valid)
        return self.score(f, labels), f


@torch.no_grad()
def init_parameters(module, generator):
    """Initialise every parameter from ``generator`` (never torch's global RNG)."""
    for name, p in module.named_parameters():
        if p.dim() == 1:
            if "bias" in name:
                p.zero_()
            else:
                p.uniform_(-0.1, 0.1, generator=generator)
        elif name.endswith("skip.weight"):
            p.zero_()  # the generator starts from its own draw, not from a copy
        elif name.endswith("embed.weight") or name.endswith("project.weight"):
            p.normal_(0.0, 1.0, generator=generator)
            if name.endswith("project.weight"):
                p.mul_(0.1)
        elif "rnn" in name:
            bound = 1.0 / math.sqrt(p.shape[1] if "weight_hh" in name else max(p.shape[0] // 4, 1))
            p.uniform_(-bound, bound, generator=generator)
        else:
            fan_in, fan_out = p.shape[1], p.shape[0]
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            p.uniform_(-bound, bound, generator=generator)
