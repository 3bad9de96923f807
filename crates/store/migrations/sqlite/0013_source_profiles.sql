-- What an operator says about a source, for how a story's coverage splits
-- across sources: country, language, owner, kind of outlet, and a
-- perspective label from the operator's own list (site setting
-- `coverage.perspectives`).
ALTER TABLE sources ADD COLUMN country TEXT;
ALTER TABLE sources ADD COLUMN audience_language TEXT;
ALTER TABLE sources ADD COLUMN owner TEXT;
ALTER TABLE sources ADD COLUMN outlet_kind TEXT;
ALTER TABLE sources ADD COLUMN perspective TEXT;
