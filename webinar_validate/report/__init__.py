"""The report: pydantic models, rows kept column-wise, the JSON writer, frames out."""
