-- socialauth-fcgi provider cache: what the program fetched from a provider and may
-- reuse for a while, shared by every CGI and FastCGI process on the database.
-- MySQL 5.7+ / MariaDB 10.3+, InnoDB.
--
-- Same conventions as 001_initial.sql: `socialauth-admin migrate` replaces each
-- /*prefix*/ with the configured table_prefix, statements end with a `;` at the end
-- of a line, and the file may run twice.
--
-- Rows today: "jwks:<sha256 of jwks_url>" holds the JWKS document Google's ID tokens
-- are checked with, fetched_at when it was fetched and expires_at from the max-age of
-- its Cache-Control; "jwks-refetch:<sha256 of jwks_url>" records (fetched_at) the
-- last time an ID token with an unknown key id made the program fetch the keys again,
-- which happens at most once per jwks_refetch_interval_seconds. Written with one
-- INSERT ... ON DUPLICATE KEY UPDATE outside any transaction. Nothing else reads this
-- table, and it may be emptied at any time: the program fetches again.
--
-- TIMESTAMP columns state their defaults, as in 001_initial.sql.

CREATE TABLE IF NOT EXISTS /*prefix*/provider_cache (
    -- Binary, not ascii_bin: that collation ignores trailing spaces.
    cache_key VARBINARY(191) NOT NULL,
    value MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    fetched_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (cache_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC;
