// A DnsResolver that answers from a table, inside query() or when the test says so.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sip/dns/dns_resolver.hpp"

namespace callgate::sip::test {

class FakeDnsResolver : public DnsResolver {
 public:
  enum class Mode { kSynchronous, kDeferred };

  explicit FakeDnsResolver(Mode mode = Mode::kSynchronous) : mode_(mode) {}

  void setAnswer(DnsRecordType type, const std::string& name, DnsAnswer answer) {
    table_[{type, name}] = std::move(answer);
  }
  void setNaptr(const std::string& name, std::vector<NaptrRecord> records) {
    DnsAnswer answer;
    answer.naptr = std::move(records);
    setAnswer(DnsRecordType::kNaptr, name, std::move(answer));
  }
  void setSrv(const std::string& name, std::vector<SrvRecord> records) {
    DnsAnswer answer;
    answer.srv = std::move(records);
    setAnswer(DnsRecordType::kSrv, name, std::move(answer));
  }
  void setAddresses(DnsRecordType type, const std::string& name, std::vector<std::string> addresses) {
    DnsAnswer answer;
    answer.addresses = std::move(addresses);
    setAnswer(type, name, std::move(answer));
  }
  void setStatus(DnsRecordType type, const std::string& name, DnsStatus status) {
    DnsAnswer answer;
    answer.status = status;
    setAnswer(type, name, std::move(answer));
  }

  // Names not in the table do not exist (NXDOMAIN); a name in the table answers "no records" for the types
  // it has none of.
  void query(DnsRecordType type, std::string name, Callback callback) override {
    asked_.push_back(std::string(dnsRecordTypeName(type)) + " " + name);
    DnsAnswer answer = lookup(type, name);
    if (mode_ == Mode::kSynchronous) {
      callback(std::move(answer));
    } else {
      pending_.emplace_back(std::move(callback), std::move(answer));
    }
  }

  // Deferred mode: answers the waiting queries, including those they cause, in the order asked. Returns how
  // many were answered.
  size_t runPending() {
    size_t count = 0;
    while (!pending_.empty()) {
      auto [callback, answer] = std::move(pending_.front());
      pending_.pop_front();
      callback(std::move(answer));
      ++count;
    }
    return count;
  }
  size_t pendingCount() const { return pending_.size(); }
  void dropPending() { pending_.clear(); }

  const std::vector<std::string>& asked() const { return asked_; }

 private:
  DnsAnswer lookup(DnsRecordType type, const std::string& name) const {
    auto exact = table_.find({type, name});
    if (exact != table_.end()) return exact->second;
    DnsAnswer answer;
    answer.status = DnsStatus::kNotFound;
    for (const auto& [key, value] : table_) {
      if (key.second == name) answer.status = DnsStatus::kNoData;
    }
    return answer;
  }

  Mode mode_;
  std::map<std::pair<DnsRecordType, std::string>, DnsAnswer> table_;
  std::deque<std::pair<Callback, DnsAnswer>> pending_;
  std::vector<std::string> asked_;
};

}  // namespace callgate::sip::test
