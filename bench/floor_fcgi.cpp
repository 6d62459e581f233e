// The benchmark's floors: a FastCGI responder on socialauth.fcgi's own FastCGI loop and
// adapters that does one of the things a request is made of and nothing else, so that
// bench/run can price each on this machine. SOCIALAUTH_FLOOR_MODE says which:
//   noop   nothing: the web server, the FastCGI protocol and the loop alone;
//   query  one database round trip (SELECT 1, prepared, on the worker's session);
//   https  one provider request (Google's userinfo, on a kept-alive connection).
// The config is socialauth.fcgi's (SOCIALAUTH_CONFIG).
#include "core/config.hpp"
#include "http/curl_http_client.hpp"
#include "http/fastcgi_server.hpp"
#include "store/mysql_connection.hpp"

#include <iostream>
#include <string>

int main() {
    using namespace socialauth;
    const core::EnvLookup env = core::process_environment();
    const std::string mode = env("SOCIALAUTH_FLOOR_MODE").value_or("");
    if (mode != "noop" && mode != "query" && mode != "https") {
        std::cerr << "floor_fcgi: SOCIALAUTH_FLOOR_MODE must be noop, query or https\n";
        return 2;
    }
    auto load = core::load_config_file(core::locate_config(env), env);
    if (!load.config || !load.config->google) {
        for (const auto& problem : load.problems) std::cerr << "floor_fcgi: " << problem << "\n";
        std::cerr << "floor_fcgi: needs a config with the google-oauth2 backend\n";
        return 2;
    }
    const core::Config& config = *load.config;
    store::MysqlConnection database(config.database);
    http::CurlHttpClient provider(config.outbound);
    http::HttpRequest userinfo;
    userinfo.url = config.google->userinfo_url;
    userinfo.headers = {{"Authorization", "Bearer pattern.google.1.floor"}};

    return http::serve_requests([&](http::RequestSource&) -> http::Response {
        if (mode == "query") {
            if (!database.query("SELECT 1", {}, [](const store::SqlRow&) {}).ok())
                return http::json_response(503, std::string(R"({"error":"service_unavailable"})"));
        } else if (mode == "https") {
            const auto reply = provider.send(userinfo);
            if (!reply.ok() || reply->status != 200)
                return http::json_response(502, std::string(R"({"error":"provider_unavailable"})"));
        }
        return http::json_response(200, std::string(R"({"status":"ok"})"));
    });
}
