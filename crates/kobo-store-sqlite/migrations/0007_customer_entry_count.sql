-- Every transactions page answers `total`, the customer's entries, and
-- counted them all: ~40 ms a page at a million entries. The count is now kept
-- per customer by a trigger on `entry` (append-only, so entries are only ever
-- added), in the writing transaction itself, and `kobo ledger verify` checks
-- it against a real count.
CREATE TABLE customer_entry_count (
    customer_id INTEGER PRIMARY KEY REFERENCES customer(customer_id),
    entries     INTEGER NOT NULL CHECK (entries >= 0)
);

INSERT INTO customer_entry_count (customer_id, entries)
SELECT customer_id, COUNT(*) FROM entry WHERE customer_id IS NOT NULL GROUP BY customer_id;

CREATE TRIGGER entry_counts_customers AFTER INSERT ON entry
WHEN NEW.customer_id IS NOT NULL
BEGIN
    INSERT INTO customer_entry_count (customer_id, entries) VALUES (NEW.customer_id, 1)
    ON CONFLICT (customer_id) DO UPDATE SET entries = entries + 1;
END;
