"""Statistical models of the value chain and of the culture programmes.

Families (each a subpackage or module with its own ``__all__``):

* :mod:`.did` - did the programmes work? staggered group-time ATT, two-way
  fixed effects and event study, dose response, and their results-store tables;
* :mod:`.value_chain` - does culture move satisfaction? culture-IKM links,
  mediation, key drivers and importance-performance, and their tables;
* :mod:`.multilevel` - random-intercept and nested models, ICC;
* :mod:`.power` - minimum detectable effects and simulated power;
* :mod:`.few_clusters` - inference with few governments: the policy, the
  restricted wild cluster bootstrap and randomisation inference;
* :mod:`.panel` - the unit and government panels the models run on.

``_ols`` is the families' shared least-squares plumbing (fixed effects,
cluster-robust OLS, the cluster bootstrap on moments).
"""

__all__ = ["did", "value_chain", "multilevel", "power", "few_clusters", "panel"]
