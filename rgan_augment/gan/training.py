"""The adversarial training loop.

Tensors in, a trained generator state out; nothing here knows scikit-learn.  The loop

* draws real batches with weights ~ 1/sqrt(class size), so rare classes are seen
  more often than their share without the discriminator memorising them;
* gives the generator the real batch's labels and lengths, so real and fake batches
  have the same class and length mix (padding is then never a tell);
* optimises a non-saturating (or hinge / least-squares) loss plus feature matching
  on the discriminator's pooled features;
* every ``eval_every`` steps scores the generator with a per-class kernel MMD to the
  training data on fixed noise, and keeps the best state (a GAN's quality swings from
  step to step, so the last state is rarely the best);
* on a non-finite loss rolls back to the last good state with halved learning
  rates, and gives up with a clear error after three tries;
* on KeyboardInterrupt keeps the best state reached so far (with a warning).
"""

from __future__ import annotations

import copy
import logging
import math
import time
import warnings
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from .augment import DiscriminatorAugment
from .masks import chunk_mask, step_mask
from .mmd import batch_mmd, mmd, mmd_features, roughness_weight
from .networks import init_parameters
from .precision import autocast, autocast_dtype

logger = logging.getLogger(__name__)


@dataclass
class TrainResult:
    generator_state: dict
    history: dict = field(default_factory=dict)
    best_step: int = 0
    n_steps: int = 0
    best_score: float = float("inf")
    interrupted: bool = False
    seconds: float = 0.0


def resolve_device(device):
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got {device!r}.") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for but CUDA is not available here.")
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got {device!r}.")
    return dev


def _loss_d(kind, real, fake):
    if kind == "hinge":
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    if kind == "lsgan":
        return ((real - 1) ** 2).mean() + (fake**2).mean()
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def _loss_g(kind, fake):
    if kind == "hinge":
        return -fake.mean()
    if kind == "lsgan":
        return ((fake - 1) ** 2).mean()
    return F.softplus(-fake).mean()


def draw(generator, labels, lengths, torch_gen, config, clip=None, ref=None, ref_lengths=None,
         noise_scale=None):
    """Run the generator on fresh noise; zero every step after each series' end.

    ``ref``/``ref_lengths``: the reference series of a ``reference=True`` generator;
    ``noise_scale``: a factor per series (b,) on both noise inputs (spread matching)."""
    b = lengths.shape[0]
    dev = lengths.device
    # noise comes from torch_gen's device (a CPU generator gives the same draw whatever
    # device the generator runs on), then moves to the series' device
    latent = torch.randn(b, config.latent_dim, generator=torch_gen, device=torch_gen.device).to(dev)
    noise = torch.randn(b, config.n_chunks, config.noise_dim, generator=torch_gen,
                        device=torch_gen.device).to(dev)
    if noise_scale is not None:
        scale = noise_scale.to(device=dev, dtype=latent.dtype)
        latent, noise = latent * scale[:, None], noise * scale[:, None, None]
    ref_valid = None if ref is None else chunk_mask(ref_lengths, config.chunk, config.n_chunks)
    x = generator(latent, noise, labels, ref, ref_valid)
    if clip is not None:
        x = torch.maximum(torch.minimum(x, clip[1]), clip[0])
    mask = step_mask(lengths, x.shape[1]).unsqueeze(2)
    return x * mask


def average_decay(ema, step):
    """Decay of the generator's weight average after update ``step`` (1, 2, ...): ``ema``,
    ramped up from 0.18 over the first steps so the average does not linger at the
    initial weights."""
    return min(ema, (1 + step) / (10 + step))


class ReferencePicker:
    """For each series of a batch, another series of the same class (DAGAN pairs).

    The partner differs from the series itself whenever its class has two or more
    members, so a real pair never shows a series next to itself."""

    def __init__(self, labels, n, device):
        codes = torch.zeros(n, dtype=torch.long, device=device) if labels is None else labels
        order = torch.argsort(codes, stable=True)
        counts = torch.bincount(codes)
        starts = torch.cumsum(counts, 0) - counts
        rank = torch.empty(n, dtype=torch.long, device=device)
        rank[order] = torch.arange(n, device=device) - starts[codes[order]]
        self.codes, self.order, self.counts, self.starts, self.rank = codes, order, counts, starts, rank

    def __call__(self, idx, torch_gen):
        c = self.codes[idx]
        cnt = self.counts[c]
        u = torch.rand(idx.shape[0], generator=torch_gen, device=idx.device)
        step = 1 + (u * (cnt - 1).clamp_min(1)).long().clamp_max((cnt - 2).clamp_min(0))
        step = torch.where(cnt > 1, step, torch.zeros_like(step))
        return self.order[self.starts[c] + (self.rank[idx] + step) % cnt]


class MMDMonitor:
    """Checkpoint score: per-class kernel MMD between generated and training series,
    on fixed noise (lower is better).

    A 1-nearest-neighbour class check added to this score was tried and dropped: on
    random-phase series (the toy sine/sawtooth set) Euclidean 1-NN is close to a coin
    toss and made the chosen step worse (fidelity 0.87 instead of >= 0.9); on GunPoint
    it changed the few-shot fidelity by +0.01 on average over 4 runs, within noise.
    """

    def __init__(self, x, lengths, labels, n_classes, device, seed, max_per_class=200,
                 rough_weight=0.0):
        self.rough_weight = rough_weight
        g = torch.Generator(device="cpu").manual_seed(seed)
        self.groups = []
        classes = range(n_classes) if n_classes > 0 else [None]
        for c in classes:
            idx = torch.arange(x.shape[0]) if c is None else torch.nonzero(labels.cpu() == c).squeeze(1)
            if len(idx) < 2:
                continue
            if len(idx) > max_per_class:
                idx = idx[torch.randperm(len(idx), generator=g)[:max_per_class]]
            n_fake = max(len(idx), 32)
            pick = idx[torch.randint(len(idx), (n_fake,), generator=g)]
            self.groups.append((x[idx.to(x.device)], pick.to(x.device)))
        self.x, self.lengths, self.labels = x, lengths, labels
        self.seed = seed
        self.device = device

    @torch.no_grad()
    def __call__(self, generator, config, clip, amp=None):
        """Validation MMD of ``generator``'s draws, made in the autocast dtype ``amp``
        that sampling will use (the MMD itself in float32)."""
        if not self.groups:
            return None  # no class has two series: nothing to compare with
        g = torch.Generator(device=self.device).manual_seed(self.seed)
        scores = []
        for real, pick in self.groups:
            labels = None if self.labels is None else self.labels[pick]
            # a reference model draws from references of the same class
            ref = (self.x[pick], self.lengths[pick]) if config.reference else (None, None)
            with autocast(self.device, amp):
                fake = draw(generator, labels, self.lengths[pick], g, config, clip, *ref).float()
            w = self.rough_weight
            scores.append(mmd(mmd_features(real[:, : fake.shape[1]], w), mmd_features(fake, w)))
        return float(sum(scores) / len(scores))


class _Trainer:
    """The two networks, their optimisers and the bookkeeping of one training run: one
    method per stage of an update (a real batch, the discriminator's step, the
    generator's, the weight average) and of an evaluation (score, checkpoint, roll back).
    """

    def __init__(self, x, lengths, labels, config, *, seed, device, precision, clip):
        self.config, self.device = config, device
        self.torch_gen = torch.Generator(device=device).manual_seed(seed)
        cpu_gen = torch.Generator(device="cpu").manual_seed(seed + 1)
        self.G, self.D = config.build_generator(), config.build_discriminator()
        init_parameters(self.G, cpu_gen)
        init_parameters(self.D, cpu_gen)
        self.G.to(device)
        self.D.to(device)
        self.x, self.lengths = x.to(device), lengths.to(device)
        self.labels = None if labels is None else labels.to(device)
        self.clip = None if clip is None else tuple(c.to(device) for c in clip)
        n = x.shape[0]
        # real batches: each series weighted by 1/sqrt(size of its class)
        if self.labels is not None:
            counts = torch.bincount(self.labels, minlength=config.n_classes).float()
            self.weights = counts[self.labels].rsqrt()
        else:
            self.weights = torch.ones(n, device=device)
        self.batch_size = min(config.batch_size, max(n, 2))
        self.amp = autocast_dtype(device, precision, config.cell)
        self.aux = self.D.classify is not None and config.class_loss > 0
        betas = (0.5, 0.99)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=config.lr_g, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=config.lr_d, betas=betas)
        self.rough = roughness_weight(self.x)
        self.monitor = MMDMonitor(self.x, self.lengths, self.labels, config.n_classes, device,
                                  seed + 2, rough_weight=self.rough)
        self.partner = ReferencePicker(self.labels, n, device) if config.reference else None
        # the discriminator judges shifted and scaled series, real and drawn alike
        self.augment = DiscriminatorAugment(config.augment, seed + 3) if config.augment > 0 else None
        # weight averaging: an exponential moving average of the generator's weights is
        # what gets scored and kept (it evens out the step-to-step swings of adversarial
        # training; measured: benchmarks/README.md, "Weight averaging")
        self.G_avg = None
        if config.ema > 0:
            self.G_avg = copy.deepcopy(self.G)
            self.G_avg.requires_grad_(False)
        self.G_eval = self.G if self.G_avg is None else self.G_avg
        self.history = {"step": [], "loss_d": [], "loss_g": [], "mmd": [], "seconds": []}
        self.best = {"score": float("inf"), "step": 0,
                     "state": copy.deepcopy(self.G_eval.state_dict())}
        self.keep_good(0)

    def real_batch(self):
        """A weighted draw of real series, with their labels, lengths, valid recurrent
        steps and (example conditioning) a partner series of the same class each."""
        cfg = self.config
        idx = torch.multinomial(self.weights, self.batch_size, replacement=True,
                                generator=self.torch_gen)
        b = {"real": self.x[idx], "labels": None if self.labels is None else self.labels[idx],
             "lengths": self.lengths[idx], "ref": None, "ref_lengths": None, "ref_valid": None}
        b["valid"] = chunk_mask(b["lengths"], cfg.chunk, cfg.n_chunks)
        if self.partner is not None:  # real pair: (series, another series of its class)
            ridx = self.partner(idx, self.torch_gen)
            b["ref"], b["ref_lengths"] = self.x[ridx], self.lengths[ridx]
            b["ref_valid"] = chunk_mask(b["ref_lengths"], cfg.chunk, cfg.n_chunks)
        return b

    def _fake(self, b):
        return draw(self.G, b["labels"], b["lengths"], self.torch_gen, self.config, self.clip,
                    b["ref"], b["ref_lengths"])

    def judged(self, x, lengths):
        """The series as the discriminator sees them: augmented where the config says."""
        return x if self.augment is None else self.augment(x, lengths)

    def discriminator_step(self, b):
        """``d_steps`` updates of the discriminator on real and fake in one pass; returns
        the last loss and the real series' pooled features (the feature-matching target)."""
        cfg, n = self.config, self.batch_size
        two = (lambda t: None if t is None else torch.cat([t, t]))
        for _ in range(cfg.d_steps):
            with autocast(self.device, self.amp):
                with torch.no_grad():
                    fake = self._fake(b)
                both = self.judged(torch.cat([b["real"], fake]), two(b["lengths"]))
                scores, feats = self.D(both, two(b["valid"]),
                                       two(b["labels"]), two(b["ref"]), two(b["ref_valid"]))
                loss_d = _loss_d(cfg.loss, scores[:n].float(), scores[n:].float())
                if self.aux:
                    logits = self.D.classify(feats[:n]).float()
                    loss_d = loss_d + cfg.class_loss * F.cross_entropy(logits, b["labels"])
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()
        return loss_d, feats[:n].detach().float().mean(0)

    def generator_step(self, b, f_real):
        """One generator update: adversarial loss, feature matching, batch MMD and the
        auxiliary class loss."""
        cfg = self.config
        with autocast(self.device, self.amp):
            fake = self._fake(b)
            s_fake, f_fake = self.D(self.judged(fake, b["lengths"]), b["valid"], b["labels"],
                                    b["ref"], b["ref_valid"])
            loss_g = _loss_g(cfg.loss, s_fake.float())
            if cfg.feature_matching > 0:
                fm = (f_real - f_fake.float().mean(0)).pow(2).mean()
                loss_g = loss_g + cfg.feature_matching * fm
            if cfg.mmd_weight > 0:
                loss_g = loss_g + cfg.mmd_weight * batch_mmd(b["real"], fake, b["labels"],
                                                            cfg.n_classes, self.rough)
            if self.aux:
                logits = self.D.classify(f_fake).float()
                loss_g = loss_g + cfg.class_loss * F.cross_entropy(logits, b["labels"])
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        return loss_g

    def update_average(self, step):
        if self.G_avg is None:
            return
        weight = 1.0 - average_decay(self.config.ema, step)
        with torch.no_grad():
            for avg, live in zip(self.G_avg.parameters(), self.G.parameters()):
                avg.lerp_(live, weight)

    def evaluate(self, step, loss_d, loss_g, seconds):
        """Score the (averaged) generator, record it in ``history`` and keep its state if
        it is the best so far."""
        self.G_eval.eval()
        score = self.monitor(self.G_eval, self.config, self.clip, self.amp)
        self.G_eval.train()
        for key, value in zip(self.history, (step, loss_d, loss_g, score, seconds)):
            self.history[key].append(value)
        if score is None or score < self.best["score"]:
            self.best.update(score=float("inf") if score is None else score, step=step,
                             state=copy.deepcopy(self.G_eval.state_dict()))
        return score

    def keep_good(self, step):
        """The state to roll back to after a non-finite loss."""
        self.good = {"G": copy.deepcopy(self.G.state_dict()),
                     "D": copy.deepcopy(self.D.state_dict()), "step": step,
                     "avg": None if self.G_avg is None else copy.deepcopy(self.G_avg.state_dict())}

    def roll_back(self):
        """Back to the last good state with halved learning rates; returns its step."""
        self.G.load_state_dict(self.good["G"])
        self.D.load_state_dict(self.good["D"])
        if self.G_avg is not None:
            self.G_avg.load_state_dict(self.good["avg"])
        for opt in (self.opt_g, self.opt_d):
            for group in opt.param_groups:
                group["lr"] *= 0.5
            opt.state.clear()
        return self.good["step"]


def train_gan(x, lengths, labels, config, *, seed, device, precision="auto", verbose=0,
              progress=None, clip=None):
    """Train a conditional recurrent GAN.

    x: float32 tensor (n, T_padded, C) of scaled series, zero after each end, where
    T_padded = n_chunks * chunk; lengths: (n,) int64; labels: (n,) int64 or None.
    Returns a :class:`TrainResult` with the best generator state on the CPU.
    """
    t0 = time.perf_counter()
    run = _Trainer(x, lengths, labels, config, seed=seed, device=device, precision=precision,
                   clip=clip)
    history, best = run.history, run.best
    rollbacks = 0
    interrupted = False
    loss_d_acc = loss_g_acc = 0.0
    acc_n = 0
    step = 0
    try:
        while step < config.n_steps:
            b = run.real_batch()
            loss_d, f_real = run.discriminator_step(b)
            loss_g = run.generator_step(b, f_real)
            step += 1
            run.update_average(step)
            if step % 10 == 0 or step == config.n_steps:
                ld, lg = loss_d.item(), loss_g.item()
                if not (math.isfinite(ld) and math.isfinite(lg)):
                    rollbacks += 1
                    if rollbacks > 3:
                        raise FloatingPointError(
                            "GAN training diverged (non-finite loss) three times even after "
                            "rolling back with smaller learning rates; try a lower lr or "
                            "check the data's scale."
                        )
                    logger.warning("non-finite loss at step %d: rolling back, halving lr", step)
                    step = run.roll_back()
                    continue
                loss_d_acc += ld
                loss_g_acc += lg
                acc_n += 1
            # past max_time, the step just taken is scored and training stops there
            # (not at the next scheduled evaluation, which may be many steps away)
            late = config.max_time is not None and time.perf_counter() - t0 > config.max_time
            if step % config.eval_every == 0 or step == config.n_steps or late:
                score = run.evaluate(step, loss_d_acc / max(acc_n, 1), loss_g_acc / max(acc_n, 1),
                                     time.perf_counter() - t0)
                run.keep_good(step)
                if verbose >= 2:
                    logger.info("step %d/%d  loss_d %.4f  loss_g %.4f  mmd %s", step,
                                config.n_steps, history["loss_d"][-1], history["loss_g"][-1],
                                "n/a" if score is None else f"{score:.5f}")
                if progress is not None:
                    progress(step, config.n_steps, history)
                loss_d_acc = loss_g_acc = 0.0
                acc_n = 0
                if late or (config.max_time is not None
                            and time.perf_counter() - t0 > config.max_time):
                    break
    except KeyboardInterrupt:
        if not history["step"]:
            raise
        interrupted = True
        warnings.warn(
            f"fit interrupted at step {step}: keeping the best generator state reached so far "
            f"(step {best['step']}).", RuntimeWarning, stacklevel=4)
    state = {k: v.detach().cpu().clone() for k, v in best["state"].items()}
    return TrainResult(generator_state=state, history=history, best_step=best["step"],
                       n_steps=step, best_score=best["score"], interrupted=interrupted,
                       seconds=time.perf_counter() - t0)
