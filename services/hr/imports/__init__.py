"""Imports: OneRoster 1.2 CSV and Ed-Fi staff files, run as jobs by hr's worker."""
