"""Reading CSV and XLSX files into a Table of text cells, with their guards."""
