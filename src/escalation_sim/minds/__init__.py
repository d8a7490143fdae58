"""How actors think beyond their rule (docs/model.md section 4): beliefs about others, imagined views, anticipation.

`supposed` is another actor as the deciding one imagines it; `beliefs` a posterior over another's types learnt
from its acts; `anticipation` the forecast of the answer each option would provoke.
"""
