"""Side-by-side benchmarks of Sportello, the hand-written floor and PostGraphile (README.md)."""
