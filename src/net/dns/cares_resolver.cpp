#include "net/dns/cares_resolver.hpp"

#include <ares.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace callgate::net {

using sip::DnsAnswer;
using sip::DnsRecordType;
using sip::DnsStatus;

namespace {

// RFC 1035 §3.2.4 class IN; record types of RFC 1035 §3.2.2 (A), RFC 3596 §2.1 (AAAA), RFC 2782 (SRV) and
// RFC 3403 §4 (NAPTR).
constexpr int kClassIn = 1;
constexpr int kTypeA = 1;
constexpr int kTypeAaaa = 28;
constexpr int kTypeSrv = 33;
constexpr int kTypeNaptr = 35;

// RFC 1035 §2.3.4: a name is at most 255 octets on the wire, 253 characters as text.
constexpr size_t kMaxNameLength = 253;
// Size limits on what one answer may hand up.
constexpr int kMaxAddresses = 64;
constexpr size_t kMaxRecords = 64;

constexpr std::chrono::milliseconds kMaxTimeout{60000};
constexpr int kMaxTries = 10;

// c-ares' library state is reference-counted but the count is not thread-safe.
std::mutex& libraryMutex() {
  static std::mutex mutex;
  return mutex;
}

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct ChannelDeleter {
  void operator()(ares_channeldata* channel) const { ares_destroy(channel); }
};
using Channel = std::unique_ptr<ares_channeldata, ChannelDeleter>;

DnsStatus statusFromAres(int status) {
  switch (status) {
    case ARES_SUCCESS:
      return DnsStatus::kOk;
    case ARES_ENODATA:
      return DnsStatus::kNoData;
    case ARES_ENOTFOUND:
      return DnsStatus::kNotFound;
    case ARES_ETIMEOUT:
      return DnsStatus::kTimeout;
    case ARES_ESERVFAIL:
    case ARES_EREFUSED:
    case ARES_ECONNREFUSED:
    case ARES_EFORMERR:
    case ARES_ENOTIMP:
      return DnsStatus::kServerFailure;
    case ARES_EBADRESP:
      return DnsStatus::kBadResponse;
    default:
      return DnsStatus::kError;
  }
}

DnsAnswer failure(DnsStatus status, std::string detail) {
  DnsAnswer answer;
  answer.status = status;
  answer.detail = std::move(detail);
  return answer;
}

std::string addressText(int family, const void* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, address, text, sizeof(text)) == nullptr) return {};
  return text;
}

std::string cString(const unsigned char* text) {
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
}
std::string cString(const char* text) {
  return text == nullptr ? std::string() : std::string(text);
}

void parseNaptr(const unsigned char* abuf, int alen, DnsAnswer& answer) {
  ares_naptr_reply* head = nullptr;
  int status = ares_parse_naptr_reply(abuf, alen, &head);
  if (status == ARES_SUCCESS) {
    for (ares_naptr_reply* r = head; r != nullptr && answer.naptr.size() < kMaxRecords; r = r->next) {
      answer.naptr.push_back({r->order, r->preference, cString(r->flags), cString(r->service),
                              cString(r->regexp), cString(r->replacement)});
    }
  }
  if (head != nullptr) ares_free_data(head);
  answer.status = statusFromAres(status);
}

void parseSrv(const unsigned char* abuf, int alen, DnsAnswer& answer) {
  ares_srv_reply* head = nullptr;
  int status = ares_parse_srv_reply(abuf, alen, &head);
  if (status == ARES_SUCCESS) {
    for (ares_srv_reply* r = head; r != nullptr && answer.srv.size() < kMaxRecords; r = r->next) {
      answer.srv.push_back({r->priority, r->weight, r->port, cString(r->host)});
    }
  }
  if (head != nullptr) ares_free_data(head);
  answer.status = statusFromAres(status);
}

void parseAddresses(DnsRecordType type, const unsigned char* abuf, int alen, DnsAnswer& answer) {
  int count = kMaxAddresses;
  int status = ARES_SUCCESS;
  if (type == DnsRecordType::kA) {
    ares_addrttl ttls[kMaxAddresses];
    status = ares_parse_a_reply(abuf, alen, nullptr, ttls, &count);
    if (status == ARES_SUCCESS) {
      for (int i = 0; i < count; ++i) answer.addresses.push_back(addressText(AF_INET, &ttls[i].ipaddr));
    }
  } else {
    ares_addr6ttl ttls[kMaxAddresses];
    status = ares_parse_aaaa_reply(abuf, alen, nullptr, ttls, &count);
    if (status == ARES_SUCCESS) {
      for (int i = 0; i < count; ++i) answer.addresses.push_back(addressText(AF_INET6, &ttls[i].ip6addr));
    }
  }
  std::erase(answer.addresses, std::string());
  answer.status = statusFromAres(status);
}

int aresType(DnsRecordType type) {
  switch (type) {
    case DnsRecordType::kNaptr:
      return kTypeNaptr;
    case DnsRecordType::kSrv:
      return kTypeSrv;
    case DnsRecordType::kA:
      return kTypeA;
    case DnsRecordType::kAaaa:
      return kTypeAaaa;
  }
  return kTypeA;
}

}  // namespace

core::Result<void> validateCaresResolverConfig(const CaresResolverConfig& config) {
  if (config.timeout.count() <= 0 || config.timeout > kMaxTimeout) {
    return core::makeError("DNS timeout: must be between 1 ms and 60000 ms, not " +
                           std::to_string(config.timeout.count()));
  }
  if (config.tries < 1 || config.tries > kMaxTries) {
    return core::makeError("DNS tries: must be between 1 and 10, not " + std::to_string(config.tries));
  }
  return {};
}

class CaresResolver::Worker {
 public:
  explicit Worker(Post post, bool useHostsFile) : post_(std::move(post)), useHostsFile_(useHostsFile) {}

  ~Worker() {
    if (thread_.joinable()) {
      {
        std::lock_guard lock(mutex_);
        stopping_ = true;
      }
      wake();
      thread_.join();
    }
    // The worker is gone: destroying the channel here runs the pending callbacks with ARES_EDESTRUCTION on
    // this thread, and they are dropped.
    channel_.reset();
  }

  core::Result<void> init(const CaresResolverConfig& config) {
    int fds[2] = {-1, -1};
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
      return core::makeError(std::string("DNS resolver: cannot create a pipe: ") + std::strerror(errno));
    }
    wakeRead_ = UniqueFd(fds[0]);
    wakeWrite_ = UniqueFd(fds[1]);

    ares_options options{};
    options.timeout = static_cast<int>(config.timeout.count());
    options.tries = config.tries;
    ares_channel channel = nullptr;
    int status = ares_init_options(&channel, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
    if (status != ARES_SUCCESS) {
      if (channel != nullptr) ares_destroy(channel);
      return core::makeError(std::string("DNS resolver: c-ares init failed: ") + ares_strerror(status));
    }
    channel_.reset(channel);
    if (!config.servers.empty()) {
      status = ares_set_servers_ports_csv(channel_.get(), config.servers.c_str());
      if (status != ARES_SUCCESS) {
        return core::makeError("DNS servers '" + config.servers + "': " + ares_strerror(status) +
                               " (expected address:port items separated by commas)");
      }
    }
    return {};
  }

  void start() {
    thread_ = std::thread([this] { run(); });
  }

  void submit(DnsRecordType type, std::string name, Callback callback) {
    {
      std::lock_guard lock(mutex_);
      requests_.push_back({type, std::move(name), std::move(callback)});
    }
    wake();
  }

 private:
  struct Request {
    DnsRecordType type;
    std::string name;
    Callback callback;
  };
  // A query c-ares is working on. Owned by pending_; c-ares holds a non-owning pointer as its callback
  // argument until it calls onAnswer exactly once.
  struct Pending {
    Worker* worker = nullptr;
    uint64_t id = 0;
    DnsRecordType type = DnsRecordType::kA;
    Callback callback;
  };

  void wake() {
    const char byte = 1;
    // A full pipe already means "wake up"; nothing else can go wrong worth handling.
    [[maybe_unused]] ssize_t written = ::write(wakeWrite_.get(), &byte, 1);
  }

  void drainWake() {
    char buffer[64];
    while (::read(wakeRead_.get(), buffer, sizeof(buffer)) > 0) {
    }
  }

  void run() {
    std::vector<pollfd> fds;
    while (true) {
      std::deque<Request> requests;
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        requests.swap(requests_);
      }
      for (Request& request : requests) startQuery(request);

      fds.clear();
      fds.push_back({wakeRead_.get(), POLLIN, 0});
      ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
      const int bits = ares_getsock(channel_.get(), sockets, ARES_GETSOCK_MAXNUM);
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        short events = 0;
        if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
        if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
        if (events != 0) fds.push_back({sockets[i], events, 0});
      }
      // Bounded even with nothing pending, so a lost wake-up costs at most a second.
      timeval maxWait{1, 0};
      timeval wait{};
      const timeval* next = ares_timeout(channel_.get(), &maxWait, &wait);
      const int waitMs = static_cast<int>(next->tv_sec * 1000 + (next->tv_usec + 999) / 1000);
      const int ready = ::poll(fds.data(), fds.size(), waitMs);
      if (ready < 0 && errno != EINTR) {
        // poll on our own descriptors only fails for want of memory: yield and try again.
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (ready > 0 && (fds[0].revents & POLLIN) != 0) drainWake();
      for (size_t i = 1; ready > 0 && i < fds.size(); ++i) {
        const short revents = fds[i].revents;
        if (revents == 0) continue;
        const bool readable = (revents & (POLLIN | POLLERR | POLLHUP)) != 0;
        const bool writable = (revents & POLLOUT) != 0;
        ares_process_fd(channel_.get(), readable ? fds[i].fd : ARES_SOCKET_BAD,
                        writable ? fds[i].fd : ARES_SOCKET_BAD);
      }
      // Expires the queries whose time is up (and retries them on the next server).
      ares_process_fd(channel_.get(), ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    }
  }

  void startQuery(Request& request) {
    if (request.name.empty() || request.name.size() > kMaxNameLength) {
      return deliver(std::move(request.callback),
                     failure(DnsStatus::kError, "bad name '" + request.name.substr(0, 64) + "'"));
    }
    const bool address = request.type == DnsRecordType::kA || request.type == DnsRecordType::kAaaa;
    if (address && useHostsFile_) {
      DnsAnswer answer = hostsFileLookup(request);
      if (!answer.addresses.empty()) return deliver(std::move(request.callback), std::move(answer));
    }
    auto pending = std::make_unique<Pending>();
    pending->worker = this;
    pending->id = nextId_++;
    pending->type = request.type;
    pending->callback = std::move(request.callback);
    Pending* arg = pending.get();
    pending_.emplace(arg->id, std::move(pending));
    // May call onAnswer before returning (a bad name, no servers).
    ares_query(channel_.get(), request.name.c_str(), kClassIn, aresType(request.type), &Worker::onAnswer,
               arg);
  }

  DnsAnswer hostsFileLookup(const Request& request) {
    DnsAnswer answer;
    const int family = request.type == DnsRecordType::kA ? AF_INET : AF_INET6;
    hostent* host = nullptr;
    if (ares_gethostbyname_file(channel_.get(), request.name.c_str(), family, &host) == ARES_SUCCESS &&
        host != nullptr && host->h_addrtype == family) {
      for (char** a = host->h_addr_list; a != nullptr && *a != nullptr; ++a) {
        if (answer.addresses.size() == static_cast<size_t>(kMaxAddresses)) break;
        std::string text = addressText(family, *a);
        if (!text.empty()) answer.addresses.push_back(std::move(text));
      }
    }
    if (host != nullptr) ares_free_hostent(host);
    return answer;
  }

  static void onAnswer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    auto* key = static_cast<Pending*>(arg);
    Worker& worker = *key->worker;
    auto node = worker.pending_.extract(key->id);
    if (node.empty()) return;
    std::unique_ptr<Pending> pending = std::move(node.mapped());
    // The resolver is being destroyed: pending callbacks are dropped (see ~CaresResolver).
    if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) return;

    DnsAnswer answer;
    if (status != ARES_SUCCESS || abuf == nullptr) {
      answer = failure(statusFromAres(status), ares_strerror(status));
    } else {
      switch (pending->type) {
        case DnsRecordType::kNaptr:
          parseNaptr(abuf, alen, answer);
          break;
        case DnsRecordType::kSrv:
          parseSrv(abuf, alen, answer);
          break;
        case DnsRecordType::kA:
        case DnsRecordType::kAaaa:
          parseAddresses(pending->type, abuf, alen, answer);
          break;
      }
      if (answer.status != DnsStatus::kOk) {
        answer.detail = answer.status == DnsStatus::kNoData ? "no records" : "answer does not parse";
      } else if (answer.empty()) {
        answer.status = DnsStatus::kNoData;
        answer.detail = "no records";
      }
    }
    worker.deliver(std::move(pending->callback), std::move(answer));
  }

  void deliver(Callback callback, DnsAnswer answer) {
    post_([callback = std::move(callback), answer = std::move(answer)]() mutable {
      callback(std::move(answer));
    });
  }

  Post post_;
  const bool useHostsFile_;

  std::mutex mutex_;
  std::deque<Request> requests_;  // guarded by mutex_
  bool stopping_ = false;         // guarded by mutex_

  UniqueFd wakeRead_;
  UniqueFd wakeWrite_;
  // Worker thread only (and the destructor, after the join). Declared before channel_, whose destruction
  // still calls back into it.
  std::map<uint64_t, std::unique_ptr<Pending>> pending_;
  uint64_t nextId_ = 1;
  Channel channel_;
  std::thread thread_;
};

core::Result<std::unique_ptr<CaresResolver>> CaresResolver::create(const CaresResolverConfig& config,
                                                                   Post post) {
  if (core::Result<void> valid = validateCaresResolverConfig(config); !valid) return valid.error();
  if (!post) return core::makeError("DNS resolver: no post function");
  {
    std::lock_guard lock(libraryMutex());
    const int status = ares_library_init(ARES_LIB_INIT_ALL);
    if (status != ARES_SUCCESS) {
      return core::makeError(std::string("DNS resolver: c-ares library init failed: ") +
                             ares_strerror(status));
    }
  }
  auto worker = std::make_unique<Worker>(std::move(post), config.useHostsFile);
  core::Result<void> ready = worker->init(config);
  if (!ready) {
    worker.reset();
    std::lock_guard lock(libraryMutex());
    ares_library_cleanup();
    return ready.error();
  }
  worker->start();
  return std::make_unique<CaresResolver>(Key{}, std::move(worker));
}

CaresResolver::CaresResolver(Key, std::unique_ptr<Worker> worker) : worker_(std::move(worker)) {}

CaresResolver::~CaresResolver() {
  worker_.reset();
  std::lock_guard lock(libraryMutex());
  ares_library_cleanup();
}

void CaresResolver::query(DnsRecordType type, std::string name, Callback callback) {
  worker_->submit(type, std::move(name), std::move(callback));
}

}  // namespace callgate::net
