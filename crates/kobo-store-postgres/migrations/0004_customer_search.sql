-- A Unicode-folded copy of the searchable customer fields (NFC, lowercase,
-- joined by U+001F), written by kobo on every insert and update with the same
-- Rust folding the SQLite engine uses, so both engines match the same rows.
-- (The backfill below uses the server's lower(); kobo rewrites the key on
-- the next update of each row.)
ALTER TABLE customer ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE customer SET search_text = lower(
    coalesce(first_name, '') || chr(31) || coalesce(last_name, '') || chr(31) ||
    coalesce(company_name, '') || chr(31) || email || chr(31) ||
    coalesce(phone, '') || chr(31) || reference);
