"""Chart builders: each takes data (polars) and returns a plotly figure. No Streamlit, no SQL."""
