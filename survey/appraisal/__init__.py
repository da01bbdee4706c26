"""Annual appraisal (年度考核): cadres, reporting party members, ballots, cycles, sheets.

The only bridge from the database to ``survey.scoring``: models.py holds the rows,
operations.py the verbs, views.py the pages.
"""
