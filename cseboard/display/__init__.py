"""Display: the house style that draws charts, the Streamlit renderer and glue, and the board-pack renderer; may use every layer below."""
