"""The reliability suite: crashes, overlapping runs, readers, hostile input and faults.

`python -m reliability` (or `make reliability`) runs every scenario against real `renda run`
processes and prints one line per scenario, then `N passed, M failed`. See scenarios.py.
"""
