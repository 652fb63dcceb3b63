"""Streamlit glue shared by the pages: page setup, filters in the URL, the figure cache, each page's sections."""
