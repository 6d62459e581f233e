-- socialauth-fcgi rate limits: hit counters of fixed time windows, shared by every CGI
-- and FastCGI process on the database. MySQL 5.7+ / MariaDB 10.3+, InnoDB.
--
-- Same conventions as 001_initial.sql: `socialauth-admin migrate` replaces each
-- /*prefix*/ with the configured table_prefix, statements end with a `;` at the end
-- of a line, and the file may run twice.
--
-- One row counts the hits of one bucket (e.g. "exchange:ip:192.0.2.7",
-- "exchange:ip:2001:db8:1:2::/64", "exchange:backend:facebook") in one window of
-- window_seconds that starts at window_start. The program bumps a counter with one
-- INSERT ... ON DUPLICATE KEY UPDATE, outside any transaction, so concurrent
-- requests never lose a hit and a rolled-back exchange never takes its hit back.
-- The window length is part of the key: a changed config starts fresh counters
-- instead of mixing windows of different lengths. Rows of ended windows are deleted
-- by the program on the way (see window_end); nothing else reads this table, and it
-- may be emptied at any time.
--
-- Times are Unix seconds (BIGINT), not TIMESTAMP: windows are aligned to the epoch
-- and only ever compared with each other, never with NOW().

CREATE TABLE IF NOT EXISTS /*prefix*/rate_limits (
    bucket VARBINARY(100) NOT NULL,
    window_seconds INT UNSIGNED NOT NULL,
    window_start BIGINT NOT NULL,
    window_end BIGINT NOT NULL,
    hits BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (bucket, window_seconds, window_start),
    KEY window_end (window_end)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC;
