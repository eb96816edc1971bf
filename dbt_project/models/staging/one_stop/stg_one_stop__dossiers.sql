-- One row per dossier version from the one-stop systems' API, typed (macros/staged_dossier_versions.sql).
{{ staged_dossier_versions(source('one_stop', 'one_stop_dossiers')) }}
