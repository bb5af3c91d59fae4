#!/usr/bin/env python3
"""Plots the anytime curve of bench/schedules.sql: the best validation accuracy found so
far against elapsed seconds, one line per schedule.

Usage: bench/schedules.py schedules.csv schedules.png
"""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

curves = defaultdict(list)
with open(sys.argv[1]) as f:
    for schedule, elapsed, best in csv.reader(f):
        curves[schedule].append((float(elapsed), float(best)))
fig, ax = plt.subplots(figsize=(7, 4.2))
for schedule, style in (("grid", "k-"), ("successive_halving", "g-"), ("hyperband", "b--")):
    points = sorted(curves.get(schedule, []))
    if points:
        ax.step([p[0] for p in points], [p[1] for p in points], style, where="post", label=schedule)
ax.set_xlabel("elapsed seconds (training and validation epochs)")
ax.set_ylabel("best validation accuracy so far")
ax.set_title("Model selection schedules: 27 configs")
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
