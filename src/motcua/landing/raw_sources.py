"""The raw layer's sources and DDL: one append-only table per feed, the batch ledger, quarantine,
watermarks. Every row that arrives ends in a raw table or in quarantine."""

from __future__ import annotations

from dataclasses import dataclass

from motcua.landing.contracts import (
    DOCUMENT_CONTRACT,
    DOSSIER_CONTRACT,
    PROCEDURE_CONTRACT,
    RATING_CONTRACT,
    SPREADSHEET_DOSSIER_CONTRACT,
    Contract,
    PortalRecordContract,
)


@dataclass(frozen=True)
class RawSource:
    """A feed's raw table: one row per (source key, source version), payload kept whole.

    ``key_fields`` are joined with ':' into the source key. With ``version_field`` None the
    source does not version its records (a portal's scores, a spreadsheet row): the loader
    numbers distinct contents of a key 1, 2, 3... in the order they arrive.
    """

    name: str  # e.g. "one_stop_dossiers"
    key_fields: tuple[str, ...]
    version_field: str | None
    description: str
    contract: Contract | PortalRecordContract | None = None

    @property
    def table(self) -> str:
        return f"raw.{self.name}"


ONE_STOP_DOSSIERS = RawSource(
    name="one_stop_dossiers",
    key_fields=("dossier_code",),
    version_field="version",
    description="Dossiers (hồ sơ) from the one-stop systems, one row per dossier version.",
    contract=DOSSIER_CONTRACT,
)

SPREADSHEET_DOSSIERS = RawSource(
    name="spreadsheet_dossiers",
    key_fields=("dossier_code",),
    version_field="version",
    description="Dossiers (hồ sơ) from spreadsheet drops of units without an API, decoded to NFC, one row per version.",
    contract=SPREADSHEET_DOSSIER_CONTRACT,
)

PROCEDURE_CATALOGUE = RawSource(
    name="procedure_catalogue",
    key_fields=("procedure_code", "authority_level"),
    version_field="version",
    description="Danh mục TTHC (procedure catalogue), one row per procedure x authority level x version.",
    contract=PROCEDURE_CONTRACT,
)

SATISFACTION_RATINGS = RawSource(
    name="satisfaction_ratings",
    key_fields=("rating_id",),
    version_field="version",
    description="Đánh giá hài lòng (satisfaction ratings of dossiers), one row per rating version.",
    contract=RATING_CONTRACT,
)

EOFFICE_DOCUMENTS = RawSource(
    name="eoffice_documents",
    key_fields=("document_id",),
    version_field="version",
    description="Văn bản điện tử (e-office documents with deadlines and digital signatures), one row per version.",
    contract=DOCUMENT_CONTRACT,
)

PORTAL_EVALUATIONS = RawSource(
    name="portal_evaluations",
    key_fields=("_province", "_period", "departmentCode"),
    version_field=None,  # the portal does not version its scores; revisions get numbered on arrival
    description="Decision 766 evaluations from the national public service portal, one row per unit x period.",
    contract=PortalRecordContract(),
)

RAW_SOURCES = (
    ONE_STOP_DOSSIERS,
    SPREADSHEET_DOSSIERS,
    PROCEDURE_CATALOGUE,
    SATISFACTION_RATINGS,
    EOFFICE_DOCUMENTS,
    PORTAL_EVALUATIONS,
)


def raw_table_ddl(source: RawSource) -> str:
    return f"""
create table if not exists {source.table} (
    source_key text not null,
    source_version integer not null,
    unit_code text not null,
    batch_id uuid not null,
    extracted_at timestamptz not null,
    checksum text not null,
    payload jsonb not null,
    primary key (source_key, source_version)
);
comment on table {source.table} is '{source.description} Append-only; loaded with COPY.';
-- Incremental models find what a batch landed by its id.
create index if not exists {source.name}_batch_id_idx on {source.table} (batch_id);
"""


RAW_DDL = (
    "\n".join(raw_table_ddl(s) for s in RAW_SOURCES)
    + """
create table if not exists raw.batch_ledger (
    batch_id uuid primary key,
    source text not null,
    unit_code text not null,
    interval_start timestamptz not null,
    interval_end timestamptz not null,
    status text not null check (status in ('running', 'loaded', 'failed')),
    asked integer,
    received integer not null default 0,
    loaded integer not null default 0,
    already_present integer not null default 0,
    quarantined integer not null default 0,
    unknown_fields text[] not null default '{}',
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    error text
);
-- Columns added after the first release: keep older warehouses in step.
alter table raw.batch_ledger add column if not exists unknown_fields text[] not null default '{}';
alter table raw.batch_ledger add column if not exists already_quarantined integer not null default 0;
alter table raw.batch_ledger add column if not exists checks_skipped text[] not null default '{}';
alter table raw.batch_ledger add column if not exists load_seq bigint;
comment on table raw.batch_ledger is
    'One row per extract-load batch (source x unit x interval): '
    'received = loaded + already_present + quarantined + already_quarantined.';
comment on column raw.batch_ledger.load_seq is
    'Commit-ordered load sequence, given after the batch committed (loader.seal_loaded_batches); '
    'incremental models read the batches above the last one they saw.';
comment on column raw.batch_ledger.checks_skipped is
    'Landing checks that could not run for this batch, e.g. procedure codes before any catalogue landed.';
create sequence if not exists raw.batch_load_seq;
create unique index if not exists batch_ledger_load_seq_key on raw.batch_ledger (load_seq);
create index if not exists batch_ledger_unsealed_idx on raw.batch_ledger (batch_id) where load_seq is null;
-- A unit's as-of instant before a given load (incremental Biểu 06 months).
create index if not exists batch_ledger_unit_load_seq_idx on raw.batch_ledger (unit_code, load_seq);
-- A run's batches per source (feed_checks) and a unit's recent ones (the silent-feed look-back).
create index if not exists batch_ledger_source_end_idx on raw.batch_ledger (source, interval_end);
create index if not exists batch_ledger_source_unit_end_idx on raw.batch_ledger (source, unit_code, interval_end);

create table if not exists raw.quarantine (
    quarantine_id bigserial primary key,
    batch_id uuid not null,
    source text not null,
    unit_code text not null,
    reason text not null,
    raw_bytes bytea not null,
    quarantined_at timestamptz not null default now()
);
comment on table raw.quarantine is
    'Records that could not be loaded, with the reason and the bytes as received; each distinct item once per source.';
-- The same malformed item served again (overlap windows, retries) is kept once.
alter table raw.quarantine add column if not exists raw_sha256 bytea generated always as (sha256(raw_bytes)) stored;
do $$
begin
    if to_regclass('raw.quarantine_source_raw_sha256_key') is null then
        -- Older warehouses may hold repeats: keep the first of each before the rule applies.
        delete from raw.quarantine as later using raw.quarantine as earlier
        where later.source = earlier.source and later.raw_sha256 = earlier.raw_sha256
          and later.quarantine_id > earlier.quarantine_id;
        create unique index quarantine_source_raw_sha256_key on raw.quarantine (source, raw_sha256);
    end if;
end
$$;

create table if not exists raw.drop_files (
    file_sha256 text primary key,
    file_name text not null,
    unit_code text not null,
    encoding text,
    confidence numeric,
    batch_id uuid not null,
    rows_read integer not null,
    loaded_at timestamptz not null default now()
);
comment on table raw.drop_files is
    'Spreadsheet drop files landed (one row per distinct file content): detected encoding and batch.';

create table if not exists raw.watermarks (
    source text not null,
    unit_code text not null,
    high_water_mark timestamptz not null,
    updated_at timestamptz not null default now(),
    primary key (source, unit_code)
);
comment on table raw.watermarks is 'Per source and unit, the end of the last interval loaded in full.';

-- Landing checks procedure codes against the catalogue by code.
create index if not exists procedure_catalogue_code_idx on raw.procedure_catalogue ((payload ->> 'procedure_code'));
"""
)
