"""The analytics modelling core: lead scoring, churn and sales forecasting in plain Python.

Nothing here imports Django, so the same code trains on features pulled from the database and on
any CSV export, and the management commands stay thin wrappers around it.
"""
