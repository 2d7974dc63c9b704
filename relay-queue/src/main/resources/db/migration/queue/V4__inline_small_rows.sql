-- Fewer rows and index entries per message (issue 17, docs/cluster.md "Per-message cost measured").
--
-- Content chunks of up to about 8 KB stay in their row: with the default target (about 2 KB) a 4 KiB message was
-- moved into the TOAST table as three pieces, each a heap row and an index entry, written at intake, looked up
-- when leased and deleted when done. Larger chunks still go out of line uncompressed (STORAGE EXTERNAL, V1).
ALTER TABLE queue_content SET (toast_tuple_target = 8160);

-- Room on each page for the lease UPDATE of a message to be a HOT update (lease_owner and lease_until are in no
-- index): without it the new row version goes to another page and every index of the table gets an entry.
-- Applies to pages written from now on.
ALTER TABLE queue_message SET (fillfactor = 70);
