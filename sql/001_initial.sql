-- socialauth-fcgi initial schema: users, their social identities and API tokens.
-- MySQL 5.7+ / MariaDB 10.3+, InnoDB, utf8mb4.
--
-- `socialauth-admin migrate` replaces each /*prefix*/ with the configured
-- table_prefix. Imported by hand (mysql client, phpMyAdmin, Adminer) the marker is
-- an ordinary comment and the tables get no prefix. The migrator splits statements
-- at a `;` that ends a line, so keep that form and never end a comment line with one.
--
-- The table and column names are a public contract (a PHP API on the same database
-- reads them); add to them in later migrations, never rename.
--
-- Times are TIMESTAMP so that comparisons with NOW() are right in any session time
-- zone; every TIMESTAMP column states its default so that no server setting can
-- give it the implicit ON UPDATE CURRENT_TIMESTAMP.

CREATE TABLE IF NOT EXISTS /*prefix*/users (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    -- Unique ignoring case, so "Jane" and "jane" can't be two accounts.
    username VARCHAR(150) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    -- The trimmed email with A-Z lower-cased and nothing else folded, written by the
    -- program; compared byte for byte so that lookalike addresses never match.
    email_key VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
    email_verified TINYINT(1) NOT NULL DEFAULT 0,
    -- Holds email_key only while the email is verified: its unique key lets at most
    -- one user hold a given verified address, also under concurrent logins.
    verified_email_key VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
        GENERATED ALWAYS AS (CASE WHEN email_verified <> 0 AND email_key <> ''
                                  THEN email_key END) STORED,
    first_name VARCHAR(150) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    last_name VARCHAR(150) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    is_active TINYINT(1) NOT NULL DEFAULT 1,
    date_joined TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_login TIMESTAMP NULL DEFAULT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY username (username),
    KEY email_key (email_key),
    UNIQUE KEY verified_email_key (verified_email_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC;

CREATE TABLE IF NOT EXISTS /*prefix*/social_identities (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id BIGINT UNSIGNED NOT NULL,
    provider VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- Binary, not utf8mb4_bin: that collation ignores trailing spaces, and two uids
    -- must be the same identity only when they are the same bytes. OpenID Connect
    -- caps a subject at 255 ASCII characters.
    uid VARBINARY(255) NOT NULL,
    extra_data JSON NOT NULL,
    created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    modified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY provider_uid (provider, uid),
    KEY user_id (user_id),
    CONSTRAINT /*prefix*/social_identities_user_id_fk FOREIGN KEY (user_id)
        REFERENCES /*prefix*/users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC;

CREATE TABLE IF NOT EXISTS /*prefix*/api_tokens (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    -- Lower-case hex SHA-256 of the token, as MySQL's SHA2(token, 256) returns it.
    token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id BIGINT UNSIGNED NOT NULL,
    created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_used TIMESTAMP NULL DEFAULT NULL,
    expires_at TIMESTAMP NULL DEFAULT NULL,
    revoked_at TIMESTAMP NULL DEFAULT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY token_hash (token_hash),
    KEY user_id_revoked_at (user_id, revoked_at),
    CONSTRAINT /*prefix*/api_tokens_user_id_fk FOREIGN KEY (user_id)
        REFERENCES /*prefix*/users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC;
