// A tiny authoritative DNS server for tests: UDP on 127.0.0.1, an ephemeral port, answers NAPTR, SRV, A and
// AAAA for the names it was given, NXDOMAIN for the rest, and nothing at all for "silent" names. Responses
// are encoded by hand after RFC 1035 §4.1, so the resolver under test parses real wire data.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace callgate::net::test {

class DnsTestServer {
 public:
  // Binds and starts answering; port() tells where. Records may be added while it runs.
  DnsTestServer();
  ~DnsTestServer();  // stops and joins
  DnsTestServer(const DnsTestServer&) = delete;
  DnsTestServer& operator=(const DnsTestServer&) = delete;

  bool ok() const { return fd_ >= 0; }
  uint16_t port() const { return port_; }
  std::string serversCsv() const { return "127.0.0.1:" + std::to_string(port_); }

  void addNaptr(const std::string& name, uint16_t order, uint16_t preference, const std::string& flags,
                const std::string& service, const std::string& regexp, const std::string& replacement);
  void addSrv(const std::string& name, uint16_t priority, uint16_t weight, uint16_t port,
              const std::string& target);
  void addA(const std::string& name, const std::string& address);
  void addAaaa(const std::string& name, const std::string& address);
  // The name exists (NOERROR) but has no records of the types not added.
  void addName(const std::string& name);
  // Queries for this name get no answer at all.
  void addSilent(const std::string& name);

  // "NAPTR example.test", in the order received.
  std::vector<std::string> queries() const;

 private:
  void run();
  std::vector<uint8_t> answer(const uint8_t* query, size_t size);
  void add(const std::string& name, uint16_t type, std::vector<uint8_t> rdata);

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, uint16_t>, std::vector<std::vector<uint8_t>>> records_;  // guarded
  std::set<std::string> names_;                                                            // guarded
  std::set<std::string> silent_;                                                           // guarded
  std::vector<std::string> queries_;                                                       // guarded
  std::thread thread_;
};

}  // namespace callgate::net::test
