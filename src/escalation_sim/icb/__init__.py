"""ICB: the model against the population of international crises (ICB v14, issue 21; docs/icb.md).

    codebook.py   the ICB variables used, their labels, and how far each label was verified
    data.py       read ICB1/ICB2 CSVs (the shipped shared subset or any file of the same format) and check them
    ladder.py     the stylised ladder, ICB trigger types on it, and a run's violence level in ICB's four levels
    mapping.py    crisis -> stylised two-actor scenario, with a reason for every choice
    render.py     the scenario as commented YAML (the reasons beside the values)
    observe.py    a crisis's simulated runs -> predicted ICB distributions (violence, management, outcome, days)
    simulate.py   many crises x runs through the sweep executors' process pool
    predict.py    `icb predict`: predictions.csv and manifest.json for every crisis of two CSVs
    manifest.py   provenance fields of a manifest (version, commit, library versions)
    scores.py     ranked probability score, log score, Brier, Monte Carlo error (intervals: evaluation/metrics.py)
    baselines.py  base rate and ordered logit (statsmodels OrderedModel) on the same covariates
    grid.py       the shared parameters' grid simulated once per point, cached on disk
    crossval.py   10-fold cross-validation: the shared parameters fitted on nine folds by simulation
    recalibrate.py  an ordered-logit recalibration of the simulated levels, fitted on training folds
    reliability.py  calibration per level: the reliability table and diagram
    facts.py      stylized facts of the data beside the model's
    report.py     scores, differences and the docs/validation.md section

Runner/analysis layers (tests/test_layers.py): it builds validated scenarios and runs them through the runner.
"""
