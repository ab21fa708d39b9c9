// The agent behind callgate-sip's subcommands: one loop, the transport, the transaction layer, the UA core
// (sip::UserAgent), the RFC 3263 locator and the timers; one line per event on stdout, flushed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/random.hpp"
#include "core/timer_queue.hpp"
#include "net/dns/cares_resolver.hpp"
#include "net/sip_transport.hpp"
#include "net/timer_driver.hpp"
#include "sip/dns/server_locator.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/ua/registration.hpp"
#include "sip/ua/user_agent.hpp"

namespace callgate::cli {

enum class Command : uint8_t { kRegister, kCall, kWait, kMessage };

struct Options {
  Command command = Command::kRegister;
  std::string transport = "udp";
  std::string listen = "127.0.0.1";
  uint16_t port = 0;
  std::string dnsServers;
  int t1Ms = 500;  // RFC 3261 T1; every transaction timer scales with it
  // register (and wait --registrar)
  std::string registrar;
  std::string user;
  std::string authUser;
  std::string password;
  int expires = 3600;
  int hold = 0;  // seconds to stay registered; negative: until SIGINT or SIGTERM
  // call
  std::string target;
  std::string proxy;
  std::string fromUser;
  std::vector<std::string> headers;  // "Name: value"
  int talk = -1;                     // seconds in the call before our BYE; negative: call 2, wait never
  int noAnswerTimeout = 60;
  int cancelAfter = -1;  // negative: never
  uint16_t rtpPort = 40000;
  int reinviteAfter = -1;  // seconds after the answer: a re-INVITE putting the call on hold; negative: never
  int updateAfter = -1;    // seconds after the answer: an UPDATE with a new offer; negative: never
  std::string transferTo;  // REFER the callee to this URI once answered (after transferAfter seconds)
  int transferAfter = 0;
  // message
  std::string text = "hello";
  std::string contentType = "text/plain";
  // wait
  int answerAfter = 0;
  int rejectStatus = 0;  // 0: answer
  int calls = 1;
  int minSe = 90;  // RFC 4028 Min-SE: smaller Session-Expires are answered 422
};

void say(const std::string& line);

class Agent {
 public:
  Agent(const Options& options, sip::TransportProtocol protocol);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  int run();

 private:
  // One call of `call` or `wait`.
  struct Call {
    explicit Call(core::TimerQueue& queue)
        : timer(queue), reinviteTimer(queue), updateTimer(queue), transferTimer(queue) {}
    core::Timer timer;  // talk, answer-after or cancel-after
    core::Timer reinviteTimer;
    core::Timer updateTimer;
    core::Timer transferTimer;
    std::optional<sip::UserAgent::SessionId> referredBy;  // a call made for this session's REFER
    bool hungUp = false;
    bool cancelled = false;
    bool answered = false;
  };

  // agent.cpp
  void startRegistration(const sip::Endpoint& registrar);
  void onOutcome(const sip::Registration::Outcome& outcome);
  void stopRegistration();
  void onSignal();
  void finish(int code);
  std::string_view protocolName() const;
  std::string hostPort() const;  // this agent's address as a SIP host:port
  // Our audio offer; a later one (re-INVITE, UPDATE) has a higher o= version and maybe another direction.
  std::string sdpOffer(int version = 1, std::string_view direction = "sendrecv") const;
  // The config of a session this agent makes or answers.
  sip::InviteSessionConfig sessionConfig(const std::string& localUri, const std::string& contact) const;
  // What both `call` and `wait` do with a session's in-dialog events; true when it handled the event.
  bool onDialogEvent(sip::UserAgent::SessionId id, const sip::InviteSession::Event& event);
  // The peer of session `id` asked for a transfer to `uri` (REFER): call it, report progress as NOTIFYs.
  bool onRefer(sip::UserAgent::SessionId id, std::string_view uri);
  void reportTransfer(const Call& call, int status, const std::string& reason);
  // A numeric next hop for an in-dialog request (the peer's Contact); nullopt for a DNS name.
  std::optional<sip::Endpoint> resolveNumeric(std::string_view uri) const;
  Call* callOf(sip::UserAgent::SessionId id);

  // call_command.cpp
  void startCall();
  // `referredBy`: the session whose REFER this call serves (its progress goes there as NOTIFY).
  void placeCall(const sip::Endpoint& nextHop, const std::string& target,
                 std::optional<sip::UserAgent::SessionId> referredBy);
  void armDialogActions(sip::UserAgent::SessionId id, Call& call);
  void onCallEvent(sip::UserAgent::SessionId id, const sip::InviteSession::Event& event);

  // wait_command.cpp
  void startWait();
  void listening();
  std::optional<sip::UserAgent::IncomingCall> onInvite(sip::UserAgent::SessionId id,
                                                       const sip::Message& invite);
  void onWaitEvent(sip::UserAgent::SessionId id, const sip::InviteSession::Event& event);
  void onSessionRemoved(sip::UserAgent::SessionId id);
  void hangupAll();

  // message_command.cpp
  void startMessage();

  const Options& options_;
  sip::TransportProtocol protocol_;
  boost::asio::io_context io_;
  core::SteadyClock clock_;
  core::TimerQueue timers_;
  net::TimerDriver driver_;
  core::SecureRandom random_;
  std::unique_ptr<net::SipTransport> transport_;
  std::unique_ptr<sip::TransactionLayer> transactions_;
  std::unique_ptr<net::CaresResolver> resolver_;
  std::unique_ptr<sip::ServerLocator> locator_;
  std::unique_ptr<sip::Registration> registration_;
  std::unique_ptr<sip::UserAgent> ua_;               // after the layer: destroyed first
  std::map<sip::UserAgent::SessionId, Call> calls_;  // the agent's state of each live session
  core::Timer shutdownBound_{timers_};               // SIGINT: the longest we wait for BYEs
  std::string contact_;
  uint16_t localPort_ = 0;
  bool holdArmed_ = false;
  bool listening_ = false;
  bool stopping_ = false;
  int callsEnded_ = 0;
  int exitCode_ = 0;
};

}  // namespace callgate::cli
