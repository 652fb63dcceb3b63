"""Pure statistics on frames: no Streamlit, no SQL.

stats.py holds the methods (Wilson, funnel limits, ranks, shrinkage, peers, p-charts); privacy.py the one
disclosure rule; fair.py the measures, the funnel and the letter's effect; followup.py the signals and the
follow-up list built from them.
"""
