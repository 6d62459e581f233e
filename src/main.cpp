// socialauth.fcgi: wiring only. Chooses the concrete adapters (MySQL, libcurl) and
// hands requests from the web server to the runtime.
#include "app/runtime.hpp"
#include "core/log.hpp"
#include "http/curl_http_client.hpp"
#include "http/fastcgi_server.hpp"
#include "store/embedded_migrations.hpp"
#include "store/mysql_migrator.hpp"
#include "store/mysql_store.hpp"

#include <memory>

int main() {
    using namespace socialauth;
    core::Logger logger(std::make_shared<core::StderrSink>());
    app::Runtime runtime(
        core::process_environment(),
        [](const core::Config& config) {
            return app::Backends{std::make_unique<store::MysqlStore>(config.database),
                                 std::make_unique<http::CurlHttpClient>(config.outbound),
                                 [database = config.database] {
                                     return store::MysqlMigrator(database).migrate(
                                         store::embedded_migrations());
                                 }};
        },
        logger);
    return http::serve_requests([&](http::RequestSource& source) { return runtime.serve(source); });
}
