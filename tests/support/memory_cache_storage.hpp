// A providers::CacheStorage in memory, standing in for the provider_cache table: one
// instance shared by several providers plays the database that several CGI processes
// share. Counts loads and saves per key, and can be made to fail, as a database that
// went away would.
#pragma once

#include "providers/cache_storage.hpp"

#include <map>
#include <optional>
#include <string>

namespace socialauth::testing {

class MemoryCacheStorage final : public providers::CacheStorage {
public:
    core::Result<std::optional<providers::CachedDocument>> load(const std::string& key) override {
        ++loads_[key];
        if (failure_) return *failure_;
        const auto found = entries_.find(key);
        if (found == entries_.end()) return std::optional<providers::CachedDocument>();
        return std::optional<providers::CachedDocument>(found->second);
    }

    core::Status save(const std::string& key, const providers::CachedDocument& document) override {
        ++saves_[key];
        if (failure_) return *failure_;
        entries_[key] = document;
        return {};
    }

    // Every later call fails with error, until heal().
    void fail_with(core::Error error) { failure_ = std::move(error); }
    void heal() { failure_.reset(); }

    int loads(const std::string& key) const { return count(loads_, key); }
    int saves(const std::string& key) const { return count(saves_, key); }
    int total_loads() const { return total(loads_); }

    std::map<std::string, providers::CachedDocument>& entries() { return entries_; }

private:
    static int count(const std::map<std::string, int>& counts, const std::string& key) {
        const auto found = counts.find(key);
        return found == counts.end() ? 0 : found->second;
    }
    static int total(const std::map<std::string, int>& counts) {
        int sum = 0;
        for (const auto& entry : counts) sum += entry.second;
        return sum;
    }

    std::map<std::string, providers::CachedDocument> entries_;
    std::map<std::string, int> loads_;
    std::map<std::string, int> saves_;
    std::optional<core::Error> failure_;
};

} // namespace socialauth::testing
