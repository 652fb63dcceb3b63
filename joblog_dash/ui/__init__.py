"""Streamlit glue shared by the pages: page setup, filters in the URL, cached queries."""
