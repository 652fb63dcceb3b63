"""One module per screen: build(db, selection) returns every number that screen shows.

The page, the visit brief, the deck and every export render the object a view built, so they cannot
disagree. profile.py is Kommuneprofil; spread.py Kommuner and Overblik's tables; deck.py the presentation.
"""
