"""What a run comes to (docs/model.md section 7): its outcome class and the dyads' MID/ICB coding."""
