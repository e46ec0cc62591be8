"""HTTP routes served beside the Streamlit app: sign-in, sign-out and health."""
