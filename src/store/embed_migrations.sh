#!/bin/sh
# embed_migrations.sh FILE...: writes the C++ definition of embedded_migrations()
# (store/embedded_migrations.hpp) holding the text of the migration files given, in
# version order (the files are in one directory, so path order is version order).
# make runs it; a file that isn't named NNN_name.sql, or holds the raw
# string's closing delimiter, stops the build.
set -eu
delimiter=socialauth_sql
echo "// Generated from the schema files by src/store/embed_migrations.sh; not to be edited."
echo '#include "store/embedded_migrations.hpp"'
echo
echo 'namespace socialauth::store {'
echo
echo 'const std::vector<MigrationScript>& embedded_migrations() {'
echo '    static const std::vector<MigrationScript> scripts = {'
for file in $(printf '%s\n' "$@" | sort); do
    version=$(basename "$file" .sql)
    if ! printf '%s\n' "$version" | grep -Eq '^[0-9]+_[A-Za-z0-9_]+$'; then
        echo "embed_migrations.sh: $file is not named NNN_name.sql" >&2
        exit 1
    fi
    if grep -q ")$delimiter\"" "$file"; then
        echo "embed_migrations.sh: $file holds )$delimiter\"" >&2
        exit 1
    fi
    printf '        {"%s", R"%s(' "$version" "$delimiter"
    cat "$file"
    printf ')%s"},\n' "$delimiter"
done
echo '    };'
echo '    return scripts;'
echo '}'
echo
echo '} // namespace socialauth::store'
