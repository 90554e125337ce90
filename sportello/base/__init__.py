"""What every layer may use: settings, the clock and the error that stops a start.

The bottom of the import direction (README, "Layout"): nothing here imports the rest of
Sportello.
"""
