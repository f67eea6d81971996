"""Mentoring: every novice has a mentor of a higher stage; capacity, coverage, gaps."""
