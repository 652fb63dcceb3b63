"""One module per screen: build(db, selection) returns every number that screen shows.

The page, the visit brief, the deck and every export render the object a view built, so they cannot
disagree. overview.py is Overblik; spread.py Kommuner; profile.py Kommuneprofil; groups.py Ydelsesgrupper;
followup.py Opfølgning; parts.py the pieces several share. Every frame a view returns is published
(analysis.privacy.publish).
"""
