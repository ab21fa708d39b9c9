#include "agent.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>

#include "core/stop_signals.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/identity.hpp"
#include "sip/message/uri.hpp"

namespace callgate::cli {

void say(const std::string& line) {
  std::cout << line << std::endl;  // a line per event, flushed: tests read it as it happens
}

Agent::Agent(const Options& options, sip::TransportProtocol protocol)
    : options_(options), protocol_(protocol), timers_(clock_), driver_(io_, timers_) {}

Agent::~Agent() = default;

int Agent::run() {
  net::SipTransportConfig config;
  const net::SipListen listen{options_.listen, options_.port};
  if (protocol_ == sip::TransportProtocol::kUdp) config.udp.push_back(listen);
  if (protocol_ == sip::TransportProtocol::kTcp) config.tcp.push_back(listen);
  if (protocol_ == sip::TransportProtocol::kTls) {
    std::cerr << "callgate-sip: --transport tls needs certificates, not offered by this tool yet\n";
    return 2;
  }
  transport_ = std::make_unique<net::SipTransport>(io_, config);
  sip::TransactionTimers timers;
  timers.t1 = std::chrono::milliseconds(options_.t1Ms);
  timers.t2 = std::max(timers.t2, timers.t1);
  transactions_ = std::make_unique<sip::TransactionLayer>(timers_, *transport_, timers);
  transport_->setEvents(
      {[this](const sip::Message& m, const sip::Endpoint& from) { transactions_->receive(m, from); },
       [this](const sip::Endpoint& peer) { transactions_->transportFailed(peer); }});
  // The UA core answers OPTIONS (RFC 3261 §11.2), refuses what it does not do and routes the calls.
  sip::UserAgent::Events events;
  events.onInvite = [this](sip::UserAgent::SessionId id, const sip::Message& invite, const sip::Endpoint&) {
    return onInvite(id, invite);
  };
  events.onSessionRemoved = [this](sip::UserAgent::SessionId id) { onSessionRemoved(id); };
  events.onMessage = [](const sip::Message& message, const sip::Endpoint&) {
    // RFC 3428: one line, whatever line breaks the body has.
    auto from = sip::parseNameAddr(message.headerValue(sip::HeaderId::kFrom));
    std::string body(message.body());
    std::replace_if(
        body.begin(), body.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    say("message-in from=" + (from ? std::string(from->uri.text) : std::string("?")) +
        " type=" + std::string(message.headerValue(sip::HeaderId::kContentType)) + " body=" + body);
  };
  ua_ = std::make_unique<sip::UserAgent>(
      sip::InviteSessionContext{*transactions_, *transport_, timers_, random_}, std::move(events));
  if (auto started = transport_->start(); !started) {
    std::cerr << "callgate-sip: " << started.error().message << "\n";
    return 2;
  }
  localPort_ = transport_->localPort(protocol_);

  auto resolver =
      net::CaresResolver::create(net::CaresResolverConfig{options_.dnsServers},
                                 [this](std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); });
  if (!resolver) {
    std::cerr << "callgate-sip: " << resolver.error().message << "\n";
    return 2;
  }
  resolver_ = std::move(*resolver);
  sip::ServerLocatorConfig locatorConfig;
  locatorConfig.transports = {protocol_};
  locator_ = std::make_unique<sip::ServerLocator>(*resolver_, locatorConfig);

  boost::asio::signal_set signals(io_, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& error, int) {
    if (!error) onSignal();
  });
  // main() blocked them until the handler was in place; a signal that came during start-up arrives now.
  core::deliverStopSignals();

  switch (options_.command) {
    case Command::kRegister:
      locator_->locate(options_.proxy.empty() ? options_.registrar : options_.proxy,
                       [this](core::Result<std::vector<sip::Endpoint>> targets) {
                         if (!targets) {
                           say("failed status=0 reason=" + targets.error().message);
                           finish(1);
                           return;
                         }
                         startRegistration(targets->front());
                       });
      break;
    case Command::kCall:
      startCall();
      break;
    case Command::kWait:
      startWait();
      break;
    case Command::kMessage:
      startMessage();
      break;
  }
  io_.run();
  // `timeout` sends a stop signal to the agent and then to its process group: the second one may come after
  // the handler is gone and must not kill the agent on its way out (exit 143 instead of its own code).
  core::blockStopSignals();
  signals.cancel();
  // Sessions go before the transport and the layer they send through.
  calls_.clear();
  ua_.reset();
  return exitCode_;
}

void Agent::startRegistration(const sip::Endpoint& registrar) {
  auto registrarUri = sip::parseUri(options_.registrar);
  auto user = sip::userPartFromTyped(options_.user, "--user");
  if (!user) {
    say("failed status=0 reason=" + user.error().message);
    finish(2);
    return;
  }
  const std::string host(registrarUri->host);
  const std::string transportParam =
      protocol_ == sip::TransportProtocol::kUdp ? "" : ";transport=" + std::string(protocolName());
  sip::RegistrationConfig config;
  config.registrarUri = std::string(registrarUri->text.substr(0, registrarUri->text.find(';')));
  config.aor = "<sip:" + *user + "@" + host + ">";
  // A token in the Contact makes it unique to this agent (issue 3: one shared socket, no port per user).
  contact_ = "<sip:" + *user + "@" + hostPort() + transportParam + ";cg=" + random_.hex(6) + ">";
  config.contact = contact_;
  config.credentials = {options_.authUser.empty() ? options_.user : options_.authUser, options_.password};
  config.expires = std::chrono::seconds(options_.expires);
  config.nextHop = registrar;
  if (!options_.proxy.empty()) {
    // RFC 3261 §8.1.2: through the outbound proxy, its URI preloaded as a loose Route.
    auto proxy = sip::parseUri(options_.proxy);
    if (!proxy) {
      say("failed status=0 reason=--proxy: " + proxy.error().message);
      finish(2);
      return;
    }
    config.routeSet.push_back("<" + options_.proxy + (proxy->param("lr") ? "" : ";lr") + ">");
  }
  config.sentBy = hostPort();
  config.userAgent = "callgate-sip";
  registration_ = std::make_unique<sip::Registration>(
      *transactions_, timers_, random_, std::move(config),
      [this](const sip::Registration::Outcome& outcome) { onOutcome(outcome); });
  registration_->start();
}

std::string_view Agent::protocolName() const {
  return protocol_ == sip::TransportProtocol::kTcp   ? "tcp"
         : protocol_ == sip::TransportProtocol::kTls ? "tls"
                                                     : "udp";
}

std::string Agent::hostPort() const {
  return options_.listen.find(':') != std::string::npos
             ? "[" + options_.listen + "]:" + std::to_string(localPort_)
             : options_.listen + ":" + std::to_string(localPort_);
}

std::string Agent::sdpOffer(int version, std::string_view direction) const {
  // RFC 4566 §5; RFC 3551 payload types 0 (PCMU) and 8 (PCMA), RFC 4733 telephone-event. Signalling only:
  // nothing is sent to or read from this port.
  const bool v6 = options_.listen.find(':') != std::string::npos;
  const std::string address = std::string(v6 ? "IN IP6 " : "IN IP4 ") + options_.listen;
  return "v=0\r\n"
         "o=callgate-sip 1 " +
         std::to_string(version) + " " + address +
         "\r\n"
         "s=callgate-sip\r\n"
         "c=" +
         address +
         "\r\n"
         "t=0 0\r\n"
         "m=audio " +
         std::to_string(options_.rtpPort) +
         " RTP/AVP 0 8 101\r\n"
         "a=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:8 PCMA/8000\r\n"
         "a=rtpmap:101 telephone-event/8000\r\n"
         "a=fmtp:101 0-16\r\n"
         "a=" +
         std::string(direction) + "\r\n";
}

sip::InviteSessionConfig Agent::sessionConfig(const std::string& localUri, const std::string& contact) const {
  sip::InviteSessionConfig config;
  config.localUri = localUri;
  config.contact = contact;
  config.sentBy = hostPort();
  config.credentials = {options_.authUser.empty() ? options_.user : options_.authUser, options_.password};
  config.userAgent = "callgate-sip";
  config.timers.t1 = std::chrono::milliseconds(options_.t1Ms);
  config.timers.t2 = std::max(config.timers.t2, config.timers.t1);
  config.minSessionExpires = std::chrono::seconds(options_.minSe);
  return config;
}

bool Agent::onDialogEvent(sip::UserAgent::SessionId /*id*/, const sip::InviteSession::Event& event) {
  using Kind = sip::InviteSession::Event::Kind;
  switch (event.kind) {
    case Kind::kReinviteResult:
      say("reinvite status=" + std::to_string(event.status));
      return true;
    case Kind::kUpdateResult:
      say("update status=" + std::to_string(event.status));
      return true;
    case Kind::kSessionTimer:
      say("session-timer expires=" + std::to_string(event.status) + " refresher=" + event.reason);
      return true;
    case Kind::kMessage:
      say("message-in from=dialog type=" + event.contentType + " body=" + event.sdp);
      return true;
    case Kind::kTransfer:
      say("transfer status=" + std::to_string(event.status) + " reason=" + event.reason);
      return true;
    default:
      return false;
  }
}

bool Agent::onRefer(sip::UserAgent::SessionId id, std::string_view uri) {
  if (stopping_ || callOf(id) == nullptr) return false;
  say("refer to=" + std::string(uri));
  say("refer-progress status=100");
  // Called from inside the session: the new call starts from the loop, after the 202 went out.
  std::string target(uri);
  boost::asio::post(io_, [this, id, target] {
    locator_->locate(target, [this, id, target](core::Result<std::vector<sip::Endpoint>> hops) {
      if (!hops) {
        if (sip::InviteSession* session = ua_->session(id))
          session->notifyTransfer(503, "Service Unavailable");
        say("refer-progress status=503");
        return;
      }
      placeCall(hops->front(), target, id);
    });
  });
  return true;
}

void Agent::reportTransfer(const Call& call, int status, const std::string& reason) {
  if (!call.referredBy) return;
  sip::InviteSession* session = ua_->session(*call.referredBy);
  if (session != nullptr && session->notifyTransfer(status, reason)) {
    say("refer-progress status=" + std::to_string(status));
  }
}

std::optional<sip::Endpoint> Agent::resolveNumeric(std::string_view uriText) const {
  auto uri = sip::parseUri(uriText);
  if (!uri || (uri->hostType != sip::HostType::kIPv4 && uri->hostType != sip::HostType::kIPv6)) {
    return std::nullopt;  // a name: the session falls back to the first hop it was given
  }
  return sip::Endpoint{protocol_, std::string(uri->hostAddress()), uri->hasPort ? uri->port : uint16_t{5060}};
}

Agent::Call* Agent::callOf(sip::UserAgent::SessionId id) {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : &it->second;
}

void Agent::onOutcome(const sip::Registration::Outcome& outcome) {
  using State = sip::Registration::State;
  switch (outcome.state) {
    case State::kRegistered:
      say("registered expires=" + std::to_string(outcome.expires.count()) + " contact=" + contact_);
      if (options_.command == Command::kWait) {
        listening();
      } else if (!holdArmed_ && options_.hold >= 0) {
        holdArmed_ = true;
        timers_.schedule(std::chrono::seconds(options_.hold), [this] { stopRegistration(); });
      }
      break;
    case State::kUnregistered:
      say("unregistered");
      finish(exitCode_);
      break;
    case State::kFailed:
      say("failed status=" + std::to_string(outcome.sipStatus) + " reason=" + outcome.reason);
      finish(1);
      break;
    default:
      break;
  }
}

void Agent::stopRegistration() {
  if (registration_ && registration_->state() != sip::Registration::State::kFailed) {
    // Posted: the Registration must not be told to unregister from inside its own listener call.
    boost::asio::post(io_, [this] { registration_->unregister(); });
  } else {
    finish(exitCode_);
  }
}

void Agent::onSignal() {
  if (stopping_) return;
  stopping_ = true;
  if (calls_.empty()) {
    stopRegistration();
    return;
  }
  // Hang up what is up, unregister once every session is gone (onSessionRemoved); bounded by the BYE's
  // transaction timeout (64*T1, RFC 3261 §17.1.2.2) plus a margin.
  hangupAll();
  shutdownBound_.start(std::chrono::milliseconds(64 * options_.t1Ms) + std::chrono::seconds(2),
                       [this] { finish(exitCode_); });
}

void Agent::finish(int code) {
  exitCode_ = code;
  boost::asio::post(io_, [this] {
    if (transport_) transport_->stop();
    resolver_.reset();
    io_.stop();
  });
}

}  // namespace callgate::cli
