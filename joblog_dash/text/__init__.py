"""Everything the user reads: strings.py (every Danish text, by key), fmt.py (Danish numbers, months and
percentages), safety.py (text from files and URLs made safe to show and to export).
"""
