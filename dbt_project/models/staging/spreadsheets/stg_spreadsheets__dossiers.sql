-- Dossier versions from spreadsheet drops, in the same shape as the API feed's (macros/staged_dossier_versions.sql):
-- files carry no status history and only the number of supplement requests.
{{ staged_dossier_versions(source('spreadsheets', 'spreadsheet_dossiers')) }}
