// sip::DnsResolver on c-ares: NAPTR, SRV, A and AAAA lookups for RFC 3263 server location, off the caller's
// loop.
//
// Design. c-ares runs on a worker thread of its own: one channel, a poll() over the channel's sockets and a
// wake-up pipe, ares_process_fd() for I/O and timeouts. query() hands the request over under a mutex and
// writes the pipe; answers are parsed on the worker and handed back through the owner's `post`, so callbacks
// run on the owner's loop and never inside query(). A worker, rather than driving c-ares from the owner's
// poll step, because (ARCHITECTURE.md §3) nothing may block a loop and c-ares is not free of blocking work:
// it reads /etc/hosts and /etc/resolv.conf from disk, and the channel is not safe to share. It also keeps
// asio out of this library (net/ transports own the io_context).
//
// A and AAAA: /etc/hosts first (ares_gethostbyname_file, on the worker), then a DNS query (ares_query). Not
// ares_getaddrinfo: it reports a name without records of the family as ENOTFOUND, losing the difference
// between NXDOMAIN and NODATA that error messages need, and applies search domains. Names are asked as they
// are: no search list (RFC 3263 names are absolute).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "sip/dns/dns_resolver.hpp"

namespace callgate::net {

struct CaresResolverConfig {
  // DNS servers as "address:port" items separated by commas ("127.0.0.1:5353,[::1]:53", the format of
  // ares_set_servers_ports_csv); empty means those of /etc/resolv.conf.
  std::string servers;
  // Wait for an answer per try. c-ares doubles it each round over the servers, so with one server a lookup
  // gives up after timeout * (2^tries - 1).
  std::chrono::milliseconds timeout{2000};
  int tries = 2;
  // A and AAAA look in /etc/hosts before DNS, so "localhost" and hosts-file names need no DNS server.
  bool useHostsFile = true;
};

// Checks the config before start-up; the error names the setting ("dns.servers: ...").
core::Result<void> validateCaresResolverConfig(const CaresResolverConfig& config);

class CaresResolver final : public sip::DnsResolver {
 public:
  // Hands a function to the owner's loop; called from the worker thread, so it must be thread-safe
  // (asio::post on an io_context is). The function runs a resolver callback.
  using Post = std::function<void(std::function<void()>)>;

  // Starts the worker. Fails when c-ares cannot be set up or the config is invalid.
  static core::Result<std::unique_ptr<CaresResolver>> create(const CaresResolverConfig& config, Post post);

  // Stops and joins the worker. Pending queries are dropped: their callbacks are not posted.
  ~CaresResolver() override;
  CaresResolver(const CaresResolver&) = delete;
  CaresResolver& operator=(const CaresResolver&) = delete;

  // Thread-safe. The callback is always posted, never run inside query().
  void query(sip::DnsRecordType type, std::string name, Callback callback) override;

 private:
  class Worker;
  // Only create() can make one (it must start the worker first).
  struct Key {
    explicit Key() = default;
  };

 public:
  CaresResolver(Key, std::unique_ptr<Worker> worker);

 private:
  std::unique_ptr<Worker> worker_;
};

}  // namespace callgate::net
