"""Files a user takes away, the mirror of importing/.

tables.py turns views into export tables; files.py writes them as Danish-Excel CSV, XLSX, PNG and SVG;
brief.py renders the municipal visit brief as HTML and PDF; commands.py is `joblog-dash export` and
`joblog-dash brief`.
"""
