"""Import of real exports (STAR's Joblog benchmark, Jobindsats tables) into the canonical dataset.

readers.py turns a file into an all-text table; jobindsats.py knows Jobindsats' labels and Danish numbers
(and writes Jobindsats-style CSV); validate.py turns the text table into canonical rows plus a list of
problems; service.py validates, merges revisions and writes a new dataset version atomically.
"""
