"""Questions: one module per question, turning query results into plain sections of findings, charts to draw and protected tables; no Streamlit, no Plotly."""
