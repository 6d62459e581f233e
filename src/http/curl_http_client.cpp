#include "http/curl_http_client.hpp"

#include "core/text.hpp"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <string_view>

namespace socialauth::http {
namespace {

constexpr const char* kUserAgent = "socialauth-fcgi";

// curl_global_init must run once, before the first handle, and is not thread-safe on
// every libcurl we support; a function-local static gives both. The cleanup runs at
// exit, after every client constructed later has been destroyed.
struct CurlGlobal {
    CurlGlobal() : code(curl_global_init(CURL_GLOBAL_DEFAULT)) {}
    ~CurlGlobal() {
        if (code == CURLE_OK) curl_global_cleanup();
    }
    CurlGlobal(const CurlGlobal&) = delete;
    CurlGlobal& operator=(const CurlGlobal&) = delete;
    const CURLcode code;
};

CURLcode init_curl_once() {
    static const CurlGlobal global;
    return global.code;
}

// Which of libcurl's built-in CA locations to use on this host. Loading the CA bundle
// parses every certificate in it (some 140; 20 ms of CPU with OpenSSL 3, the largest
// part of a CGI request), while OpenSSL looks up in a hashed directory only the
// issuers a chain names: so the directory alone when there is one. A location this
// host lacks is left out (the portable program carries Debian's paths to any host),
// as libcurl would fail on it before outbound.ca_file is added.
struct SystemCaLocations {
    bool bundle = false;
    bool directory = false;
};

bool exists_as(const char* path, mode_t type) noexcept {
    struct stat info {};
    return path && ::stat(path, &info) == 0 && (info.st_mode & S_IFMT) == type;
}

SystemCaLocations system_ca_locations(CURL* handle) noexcept {
    static const SystemCaLocations locations = [handle] {
        const char* bundle = nullptr;
        const char* directory = nullptr;
        if (curl_easy_getinfo(handle, CURLINFO_CAINFO, &bundle) != CURLE_OK) bundle = nullptr;
        if (curl_easy_getinfo(handle, CURLINFO_CAPATH, &directory) != CURLE_OK) directory = nullptr;
        SystemCaLocations found;
        found.directory = exists_as(directory, S_IFDIR);
        found.bundle = !found.directory && exists_as(bundle, S_IFREG);
        return found;
    }();
    return locations;
}

struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// What one transfer collects; the callbacks below fill it.
struct Transfer {
    std::size_t max_bytes = 0;
    std::string body;
    std::string cache_control;
    bool too_large = false;
    bool callback_failed = false;
};

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; };
               return lower(x) == lower(y);
           });
}

// Returning less than offered makes curl abort the transfer with CURLE_WRITE_ERROR.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) noexcept {
    auto& transfer = *static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    if (n > transfer.max_bytes - transfer.body.size()) {
        transfer.too_large = true;
        return 0;
    }
    try {
        transfer.body.append(data, n);
    } catch (...) {
        transfer.callback_failed = true;
        return 0;
    }
    return n;
}

// Called once per header line, status lines included. Interim replies (100 Continue)
// come first with their own headers, so a status line starts the collection afresh.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) noexcept {
    auto& transfer = *static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    const std::string_view line(data, n);
    try {
        if (line.substr(0, 5) == "HTTP/") {
            transfer.cache_control.clear();
            return n;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !iequals(line.substr(0, colon), "cache-control"))
            return n;
        const std::string value = core::trim(line.substr(colon + 1));
        if (!transfer.cache_control.empty()) transfer.cache_control += ", ";
        transfer.cache_control += value;
    } catch (...) {
        transfer.callback_failed = true;
        return 0;
    }
    return n;
}

// Adds outbound.ca_file to the store curl has set up with the system's CAs. With
// curl's CA cache that store may be shared by later connections of this handle;
// loading the same file into it again adds nothing new.
CURLcode on_ssl_ctx(CURL*, void* ssl_ctx, void* user) noexcept {
    const auto& ca_file = *static_cast<const std::string*>(user);
    X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    const int loaded = X509_STORE_load_file(store, ca_file.c_str());
#else
    const int loaded = X509_STORE_load_locations(store, ca_file.c_str(), nullptr);
#endif
    if (loaded != 1) {
        ERR_clear_error();
        return CURLE_SSL_CACERT_BADFILE;
    }
    return CURLE_OK;
}

// scheme://host[:port]/path: no user info, query or fragment, which may carry secrets.
std::string loggable_url(std::string_view url) {
    url = url.substr(0, url.find_first_of("?#"));
    const auto scheme_end = url.find("://");
    const auto authority_begin = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    const auto path_begin = std::min(url.find('/', authority_begin), url.size());
    auto authority = url.substr(authority_begin, path_begin - authority_begin);
    const auto at = authority.rfind('@');
    if (at != std::string_view::npos) authority.remove_prefix(at + 1);
    std::string out(url.substr(0, authority_begin));
    out += authority;
    out += url.substr(path_begin);
    return out;
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
    if (what.empty()) return;
    for (auto pos = text.find(what); pos != std::string::npos;
         pos = text.find(what, pos + with.size()))
        text.replace(pos, what.size(), with);
}

bool breaks_header(std::string_view text) noexcept {
    return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

} // namespace

struct CurlHttpClient::Easy {
    Easy() = default;
    ~Easy() {
        if (handle) curl_easy_cleanup(handle);
    }
    Easy(const Easy&) = delete;
    Easy& operator=(const Easy&) = delete;

    CURL* handle = nullptr;
    char error_buffer[CURL_ERROR_SIZE] = {};
};

CurlHttpClient::CurlHttpClient(core::OutboundConfig config)
    : config_(std::move(config)), easy_(std::make_unique<Easy>()) {
    if (init_curl_once() == CURLE_OK) easy_->handle = curl_easy_init();
}

CurlHttpClient::~CurlHttpClient() = default;

core::Result<HttpReply> CurlHttpClient::send(const HttpRequest& request) {
    const std::string where = loggable_url(request.url);
    const bool post = request.method == "POST";
    if (!post && request.method != "GET")
        return core::make_error(core::Errc::internal_error,
                                "refusing method " + request.method + " for " + where);

    // A failed init is retried here, so a worker that started short of memory recovers.
    if (!easy_->handle) {
        if (const CURLcode global = init_curl_once(); global != CURLE_OK)
            return core::make_error(core::Errc::internal_error,
                                    std::string("curl_global_init: ") + curl_easy_strerror(global));
        easy_->handle = curl_easy_init();
        if (!easy_->handle)
            return core::make_error(core::Errc::internal_error, "curl_easy_init failed");
    }
    CURL* const handle = easy_->handle;

    Slist headers;
    const auto add_header = [&headers](const std::string& line) {
        curl_slist* extended = curl_slist_append(headers.get(), line.c_str());
        if (!extended) return false;
        static_cast<void>(headers.release());
        headers.reset(extended);
        return true;
    };
    for (const auto& [name, value] : request.headers) {
        if (name.empty() || name.find(':') != std::string::npos || breaks_header(name) ||
            breaks_header(value))
            return core::make_error(core::Errc::internal_error,
                                    "refusing a malformed header for " + where);
        if (!add_header(name + ": " + value))
            return core::make_error(core::Errc::internal_error, "curl_slist_append failed");
    }
    // Without this, curl waits for "100 Continue" before sending a larger POST body,
    // which costs a second against servers that never send one.
    if (!add_header("Expect:"))
        return core::make_error(core::Errc::internal_error, "curl_slist_append failed");

    Transfer transfer;
    transfer.max_bytes =
        static_cast<std::size_t>(std::max<std::int64_t>(0, config_.max_response_bytes));

    // A reset clears every option of the previous request (headers, body, method) but
    // keeps the live connections, DNS and TLS session caches.
    curl_easy_reset(handle);
    easy_->error_buffer[0] = '\0';
    CURLcode setup = CURLE_OK;
    const auto set = [&setup](CURLcode result) {
        if (setup == CURLE_OK) setup = result;
    };
    set(curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, easy_->error_buffer));
    set(curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L));
    set(curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str()));
    set(curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "https"));
    set(curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "https"));
    set(curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L));
    set(curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L));
    set(curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L));
    set(curl_easy_setopt(handle, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)));
    const SystemCaLocations system_ca = system_ca_locations(handle);
    if (!system_ca.bundle) set(curl_easy_setopt(handle, CURLOPT_CAINFO, nullptr));
    if (!system_ca.directory) set(curl_easy_setopt(handle, CURLOPT_CAPATH, nullptr));
    if (!config_.ca_file.empty()) {
        set(curl_easy_setopt(handle, CURLOPT_SSL_CTX_FUNCTION, &on_ssl_ctx));
        set(curl_easy_setopt(handle, CURLOPT_SSL_CTX_DATA, &config_.ca_file));
    }
    // "" disables proxies outright, environment variables included.
    set(curl_easy_setopt(handle, CURLOPT_PROXY, config_.proxy.c_str()));
    set(curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, config_.connect_timeout_ms));
    set(curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, config_.timeout_ms));
    set(curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE,
                         static_cast<curl_off_t>(transfer.max_bytes)));
    set(curl_easy_setopt(handle, CURLOPT_USERAGENT, kUserAgent));
    set(curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get()));
    set(curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &on_body));
    set(curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer));
    set(curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &on_header));
    set(curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer));
    if (post) {
        set(curl_easy_setopt(handle, CURLOPT_POST, 1L));
        set(curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(request.body.size())));
        set(curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.c_str()));
    } else {
        set(curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L));
    }
    // Refusing to send is safer than sending with one of the options above missing.
    if (setup != CURLE_OK)
        return core::make_error(core::Errc::internal_error,
                                std::string("libcurl refused an option: ") +
                                    curl_easy_strerror(setup));

    const CURLcode result = curl_easy_perform(handle);
    if (transfer.too_large || result == CURLE_FILESIZE_EXCEEDED)
        return core::make_error(core::Errc::provider_unavailable,
                                where + ": reply larger than " +
                                    std::to_string(transfer.max_bytes) + " bytes");
    if (transfer.callback_failed)
        return core::make_error(core::Errc::provider_unavailable,
                                where + ": out of memory while reading the reply");
    if (result != CURLE_OK) {
        std::string detail = where + ": " + curl_easy_strerror(result) + " (curl error " +
                             std::to_string(static_cast<int>(result)) + ")";
        std::string message = easy_->error_buffer;
        if (!message.empty()) {
            replace_all(message, request.url, where);
            replace_all(message, config_.proxy, loggable_url(config_.proxy));
            detail += ": " + message;
        }
        return core::make_error(core::Errc::provider_unavailable, std::move(detail));
    }

    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    return HttpReply{status, std::move(transfer.body), std::move(transfer.cache_control)};
}

} // namespace socialauth::http
