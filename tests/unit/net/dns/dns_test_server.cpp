#include "dns_test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>

namespace callgate::net::test {

namespace {

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeAaaa = 28;
constexpr uint16_t kTypeSrv = 33;
constexpr uint16_t kTypeNaptr = 35;
constexpr uint16_t kClassIn = 1;
constexpr size_t kHeaderSize = 12;

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v & 0xff));
}

void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v & 0xffff));
}

// RFC 1035 §3.3: <character-string>, a length octet and the octets.
void putCharacterString(std::vector<uint8_t>& out, const std::string& s) {
  out.push_back(static_cast<uint8_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

// RFC 1035 §3.1: a domain name as labels, uncompressed (RFC 2782 and RFC 3403 forbid compression in SRV
// targets and NAPTR replacements).
void putName(std::vector<uint8_t>& out, const std::string& name) {
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    putCharacterString(out, name.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(0);
}

std::string typeName(uint16_t type) {
  switch (type) {
    case kTypeA:
      return "A";
    case kTypeAaaa:
      return "AAAA";
    case kTypeSrv:
      return "SRV";
    case kTypeNaptr:
      return "NAPTR";
    default:
      return "TYPE" + std::to_string(type);
  }
}

}  // namespace

DnsTestServer::DnsTestServer() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { run(); });
}

DnsTestServer::~DnsTestServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void DnsTestServer::add(const std::string& name, uint16_t type, std::vector<uint8_t> rdata) {
  std::lock_guard lock(mutex_);
  names_.insert(lower(name));
  records_[{lower(name), type}].push_back(std::move(rdata));
}

void DnsTestServer::addNaptr(const std::string& name, uint16_t order, uint16_t preference,
                             const std::string& flags, const std::string& service, const std::string& regexp,
                             const std::string& replacement) {
  // RFC 3403 §4.1: ORDER, PREFERENCE, FLAGS, SERVICES, REGEXP, REPLACEMENT.
  std::vector<uint8_t> rdata;
  put16(rdata, order);
  put16(rdata, preference);
  putCharacterString(rdata, flags);
  putCharacterString(rdata, service);
  putCharacterString(rdata, regexp);
  putName(rdata, replacement);
  add(name, kTypeNaptr, std::move(rdata));
}

void DnsTestServer::addSrv(const std::string& name, uint16_t priority, uint16_t weight, uint16_t port,
                           const std::string& target) {
  // RFC 2782: Priority, Weight, Port, Target.
  std::vector<uint8_t> rdata;
  put16(rdata, priority);
  put16(rdata, weight);
  put16(rdata, port);
  putName(rdata, target);
  add(name, kTypeSrv, std::move(rdata));
}

void DnsTestServer::addA(const std::string& name, const std::string& address) {
  std::array<uint8_t, 4> bytes{};
  if (inet_pton(AF_INET, address.c_str(), bytes.data()) != 1) return;
  add(name, kTypeA, std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

void DnsTestServer::addAaaa(const std::string& name, const std::string& address) {
  std::array<uint8_t, 16> bytes{};
  if (inet_pton(AF_INET6, address.c_str(), bytes.data()) != 1) return;
  add(name, kTypeAaaa, std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

void DnsTestServer::addName(const std::string& name) {
  std::lock_guard lock(mutex_);
  names_.insert(lower(name));
}

void DnsTestServer::addSilent(const std::string& name) {
  std::lock_guard lock(mutex_);
  silent_.insert(lower(name));
}

std::vector<std::string> DnsTestServer::queries() const {
  std::lock_guard lock(mutex_);
  return queries_;
}

void DnsTestServer::run() {
  std::array<uint8_t, 1500> buffer{};
  while (!stop_) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 20) <= 0) continue;
    sockaddr_in from{};
    socklen_t fromLength = sizeof(from);
    const ssize_t n =
        ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &fromLength);
    if (n <= 0) continue;
    std::vector<uint8_t> response = answer(buffer.data(), static_cast<size_t>(n));
    if (response.empty()) continue;
    ::sendto(fd_, response.data(), response.size(), 0, reinterpret_cast<sockaddr*>(&from), fromLength);
  }
}

// RFC 1035 §4.1.1 header:
//   ID | QR Opcode AA TC RD RA Z RCODE | QDCOUNT | ANCOUNT | NSCOUNT | ARCOUNT
// followed by the question (§4.1.2: QNAME QTYPE QCLASS) and the answers (§4.1.3: NAME TYPE CLASS TTL RDLENGTH
// RDATA). Answers name the question by a compression pointer to offset 12 (§4.1.4).
std::vector<uint8_t> DnsTestServer::answer(const uint8_t* query, size_t size) {
  if (size < kHeaderSize) return {};
  const uint16_t qdcount = static_cast<uint16_t>(query[4] << 8 | query[5]);
  if (qdcount != 1 || (query[2] & 0x80) != 0) return {};
  size_t pos = kHeaderSize;
  std::string name;
  while (pos < size && query[pos] != 0) {
    const size_t length = query[pos];
    if (length > 63 || pos + 1 + length > size) return {};
    if (!name.empty()) name += '.';
    name.append(reinterpret_cast<const char*>(query + pos + 1), length);
    pos += 1 + length;
  }
  if (pos + 5 > size) return {};
  pos += 1;  // the root label
  const uint16_t qtype = static_cast<uint16_t>(query[pos] << 8 | query[pos + 1]);
  const size_t questionEnd = pos + 4;
  name = lower(name);

  std::vector<std::vector<uint8_t>> rdatas;
  uint8_t rcode = 0;
  {
    std::lock_guard lock(mutex_);
    queries_.push_back(typeName(qtype) + " " + name);
    if (silent_.contains(name)) return {};
    if (!names_.contains(name)) {
      rcode = 3;  // NXDOMAIN
    } else if (auto found = records_.find({name, qtype}); found != records_.end()) {
      rdatas = found->second;
    }
  }

  std::vector<uint8_t> out;
  out.insert(out.end(), query, query + 2);  // ID
  out.push_back(
      static_cast<uint8_t>(0x80 | (query[2] & 0x78) | 0x04 | (query[2] & 0x01)));  // QR, opcode, AA, RD
  out.push_back(static_cast<uint8_t>(0x80 | rcode));                               // RA, RCODE
  put16(out, 1);
  put16(out, static_cast<uint16_t>(rdatas.size()));
  put16(out, 0);
  put16(out, 0);
  out.insert(out.end(), query + kHeaderSize, query + questionEnd);
  for (const std::vector<uint8_t>& rdata : rdatas) {
    put16(out, 0xC000 | kHeaderSize);
    put16(out, qtype);
    put16(out, kClassIn);
    put32(out, 60);
    put16(out, static_cast<uint16_t>(rdata.size()));
    out.insert(out.end(), rdata.begin(), rdata.end());
  }
  return out;
}

}  // namespace callgate::net::test
