"""Learning the decisions from history (issue 19): feature tensors along replayed records, the conditional-logit
likelihood with its gradient, maximum a posteriori and NUTS fits, doctrines as latent classes, parameter recovery.
"""
