"""Meta stand-in for ``F.multi_head_attention_forward`` (inside ``nn.MultiheadAttention``).

Torch runs that function on meta tensors through a dozen Python decompositions (the packed
in-projection's ``addmm``, ``scaled_dot_product_attention``'s math path, mask checks): ~4 ms
for one ViT-B/16 block, most of a ViT summary. The stand-in gives the same output and reports
what a real CPU forward with grad keeps for backward, for the case ViT and most transformer
encoders run: self-attention (``query is key is value``) with the packed ``in_proj_weight``,
``need_weights=False``, no masks, no ``bias_k`` / ``bias_v`` / ``add_zero_attn`` / static
keys, no dropout (or eval mode), float32, batched ``(L, N, E)``. Everything else is left to
torch (the stand-in returns None).

What the real forward keeps (``torch.autograd.graph.saved_tensors_hooks`` on CPU, checked in
``tests/summary/test_meta_attention.py``): the in-projection's input as an ``(L·N, E)`` matrix
(a copy when ``query`` is not contiguous, e.g. transposed from ``batch_first``), the packed
``q, k, v`` (one ``(3, L, N, E)`` tensor), the fused attention's output and its float32
``logsumexp`` ``(N, H, L)``; the output projection keeps that same output.
"""

from __future__ import annotations

import torch

from vizkit.summary._meta.common import Save, bind, needs_grad, new, plain

__all__ = ["ATTENTION"]

_NAMES = (
    "query key value embed_dim_to_check num_heads in_proj_weight in_proj_bias bias_k bias_v "
    "add_zero_attn dropout_p out_proj_weight out_proj_bias training key_padding_mask "
    "need_weights attn_mask use_separate_proj_weight q_proj_weight k_proj_weight "
    "v_proj_weight static_k static_v average_attn_weights is_causal"
).split()
#: the 13 leading arguments have no default; then training ... is_causal
_DEFAULTS = (*(None,) * 13, True, None, True, None, False, *(None,) * 5, True, False)
_NONE_NEEDED = (
    "bias_k",
    "bias_v",
    "key_padding_mask",
    "attn_mask",
    "q_proj_weight",
    "k_proj_weight",
    "v_proj_weight",
    "static_k",
    "static_v",
)


def _meta_multi_head_attention_forward(args: tuple, kwargs: dict, save: Save) -> object:
    """Self-attention without weights or masks: ``((L, N, E) output, None)``."""
    bound = bind(args, kwargs, tuple(_NAMES), _DEFAULTS)
    if bound is None:
        return None
    a = dict(zip(_NAMES, bound, strict=True))
    q = a["query"]
    if not (q is a["key"] is a["value"]) or type(q) is not torch.Tensor or q.dim() != 3:
        return None
    if not q.is_meta or (q._is_view() and not _transposed(q)):
        return None  # another view than batch_first's transpose: left to torch
    if q.dtype != torch.float32 or any(a[n] is not None for n in _NONE_NEEDED):
        return None
    if a["add_zero_attn"] or a["need_weights"] or a["use_separate_proj_weight"] or a["is_causal"]:
        return None
    if a["training"] and a["dropout_p"]:
        return None  # dropout inside attention: another kernel, other saves
    length, batch, embed = q.shape
    heads = a["num_heads"]
    w_in, b_in = a["in_proj_weight"], a["in_proj_bias"]
    w_out, b_out = a["out_proj_weight"], a["out_proj_bias"]
    if type(heads) is not int or heads < 1 or embed % heads or a["embed_dim_to_check"] != embed:
        return None
    for t, shape in ((w_in, (3 * embed, embed)), (w_out, (embed, embed))):
        if not (plain(t) and t.dtype == q.dtype and tuple(t.shape) == shape):
            return None
    for t, shape in ((b_in, (3 * embed,)), (b_out, (embed,))):
        if t is not None and not (plain(t) and t.dtype == q.dtype and tuple(t.shape) == shape):
            return None
    grad = needs_grad(q, w_in, b_in, w_out, b_out)
    if grad:
        if w_in.requires_grad:  # the in-projection's input, as a matrix (a view or a copy)
            if q.is_contiguous():
                save(q)
            else:
                save(((length * batch, embed), q.dtype))
        save(((3, length, batch, embed), q.dtype))  # q, k, v for the attention's backward
        save(((batch, heads, length), torch.float32))  # its logsumexp
        save(((batch, heads, length, embed // heads), q.dtype))  # its output = out_proj's input
    return new((length, batch, embed), q.dtype, grad), None


def _transposed(q: torch.Tensor) -> bool:
    """``x.transpose(1, 0)`` of a contiguous ``(N, L, E)`` (what ``batch_first=True`` passes)."""
    length, _, embed = q.shape
    return q.stride() == (embed, length * embed, 1)


ATTENTION = {"multi_head_attention_forward": _meta_multi_head_attention_forward}
