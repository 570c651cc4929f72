-- Every customer create bumped one customer_count row per business and mode,
-- and that row's lock was held until the commit: creates of one business ran
-- one commit at a time. The count is now spread over 16 rows (shard =
-- customer_id % 16) and summed when read.
ALTER TABLE customer_count ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE customer_count DROP CONSTRAINT customer_count_pkey;
ALTER TABLE customer_count ADD PRIMARY KEY (business_id, mode, shard);
