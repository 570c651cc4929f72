-- A Unicode-folded copy of the searchable customer fields (NFC, lowercase,
-- joined by U+001F), written by kobo on every insert and update, so `search`
-- matches "ọ̀làjídé" against "Ọ̀LÀJÍDÉ" (SQLite's own lower() folds ASCII only).
ALTER TABLE customer ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE customer SET search_text = lower(
    coalesce(first_name, '') || char(31) || coalesce(last_name, '') || char(31) ||
    coalesce(company_name, '') || char(31) || email || char(31) ||
    coalesce(phone, '') || char(31) || reference);
