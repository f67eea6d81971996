"""Residencies: a principal resident placed in another school under a supervising principal."""
