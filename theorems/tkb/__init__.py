"""Trager–Kohn–Bruna, *Pure and Spurious Critical Points* (ICLR 2020, arXiv 1910.01671).

One module per topic, one spec per result; spec ids are the catalogue ids (``tkb.*``).
"""

PAPER = "Trager, Kohn & Bruna 2020"
