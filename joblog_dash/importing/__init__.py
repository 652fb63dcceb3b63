"""Import of real exports (STAR's Joblog benchmark, Jobindsats tables) into the canonical dataset.

readers.py turns a file into an all-text table; jobindsats.py knows Jobindsats' labels, period codes and
Danish numbers (and writes Jobindsats-style CSV); mapping.py is the mapping step for other layouts (long or
wide, shares, named import profiles); validate.py turns the text table into canonical rows plus a list of
problems; service.py validates, previews, merges revisions and writes a new dataset version atomically.
"""
