// callgate-sip: a command-line SIP user agent built on callgate's SIP stack (transports, transactions,
// registration), for interop tests with real peers and for debugging a SIP server by hand.
//
//   callgate-sip register --registrar sip:127.0.0.1:5060 --user 3000 --password 1234 --hold 5
//
// prints one line per event ("registered ...", "failed ...", "unregistered") and exits 0 when it registered
// and unregistered, 1 when the registrar refused or could not be reached, 2 on bad usage.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "core/random.hpp"
#include "core/timer_queue.hpp"
#include "net/dns/cares_resolver.hpp"
#include "net/sip_transport.hpp"
#include "net/timer_driver.hpp"
#include "sip/dns/server_locator.hpp"
#include "sip/message/identity.hpp"
#include "sip/message/uri.hpp"
#include "sip/message/writer.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/error_response.hpp"
#include "sip/ua/registration.hpp"

namespace {

using namespace callgate;

struct Options {
  std::string transport = "udp";
  std::string listen = "127.0.0.1";
  uint16_t port = 0;
  std::string dnsServers;
  int t1Ms = 500;  // RFC 3261 T1; every transaction timer scales with it
  // register
  std::string registrar;
  std::string user;
  std::string authUser;
  std::string password;
  int expires = 3600;
  int hold = 0;  // seconds to stay registered; negative: until SIGINT or SIGTERM
};

void say(const std::string& line) {
  std::cout << line << std::endl;  // a line per event, flushed: tests read it as it happens
}

std::optional<sip::TransportProtocol> protocolFromName(const std::string& name) {
  if (name == "udp") return sip::TransportProtocol::kUdp;
  if (name == "tcp") return sip::TransportProtocol::kTcp;
  if (name == "tls") return sip::TransportProtocol::kTls;
  return std::nullopt;
}

// Everything the agent runs on: one loop, the transport, the transaction layer and the timers.
class Agent {
 public:
  Agent(const Options& options, sip::TransportProtocol protocol)
      : options_(options), protocol_(protocol), timers_(clock_), driver_(io_, timers_) {}

  int run() {
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
    sip::ServerTransactionEvents server;
    server.onRequest = [this](sip::TransactionId id, const sip::Message& request, const sip::Endpoint&) {
      // A registering agent answers OPTIONS (RFC 3261 §11.2) and refuses what it does not do.
      if (request.methodId() == sip::Method::kOptions) {
        transactions_->respond(id, sip::makeErrorResponse(request, 200, "OK"));
      } else {
        sip::Message refusal = sip::makeErrorResponse(request, 405, "Method Not Allowed");
        refusal.addHeader(sip::HeaderId::kAllow, "OPTIONS");
        transactions_->respond(id, refusal);
      }
    };
    transactions_->setServerEvents(std::move(server));
    if (auto started = transport_->start(); !started) {
      std::cerr << "callgate-sip: " << started.error().message << "\n";
      return 2;
    }
    localPort_ = transport_->localPort(protocol_);

    auto resolver = net::CaresResolver::create(
        net::CaresResolverConfig{options_.dnsServers},
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
      if (!error) stopRegistration();
    });

    locator_->locate(options_.registrar, [this](core::Result<std::vector<sip::Endpoint>> targets) {
      if (!targets) {
        say("failed status=0 reason=" + targets.error().message);
        finish(1);
        return;
      }
      startRegistration(targets->front());
    });
    io_.run();
    signals.cancel();
    return exitCode_;
  }

 private:
  void startRegistration(const sip::Endpoint& registrar) {
    auto registrarUri = sip::parseUri(options_.registrar);
    auto user = sip::userPartFromTyped(options_.user, "--user");
    if (!user) {
      say("failed status=0 reason=" + user.error().message);
      finish(2);
      return;
    }
    const std::string host(registrarUri->host);
    const std::string hostPort = options_.listen.find(':') != std::string::npos
                                     ? "[" + options_.listen + "]:" + std::to_string(localPort_)
                                     : options_.listen + ":" + std::to_string(localPort_);
    const std::string transportParam =
        protocol_ == sip::TransportProtocol::kUdp ? "" : ";transport=" + std::string(protocolName());
    sip::RegistrationConfig config;
    config.registrarUri = std::string(registrarUri->text.substr(0, registrarUri->text.find(';')));
    config.aor = "<sip:" + *user + "@" + host + ">";
    // A token in the Contact makes it unique to this agent (issue 3: one shared socket, no port per user).
    contact_ = "<sip:" + *user + "@" + hostPort + transportParam + ";cg=" + random_.hex(6) + ">";
    config.contact = contact_;
    config.credentials = {options_.authUser.empty() ? options_.user : options_.authUser, options_.password};
    config.expires = std::chrono::seconds(options_.expires);
    config.nextHop = registrar;
    config.sentBy = hostPort;
    config.userAgent = "callgate-sip";
    registration_ = std::make_unique<sip::Registration>(
        *transactions_, timers_, random_, std::move(config),
        [this](const sip::Registration::Outcome& outcome) { onOutcome(outcome); });
    registration_->start();
  }

  std::string_view protocolName() const {
    return protocol_ == sip::TransportProtocol::kTcp   ? "tcp"
           : protocol_ == sip::TransportProtocol::kTls ? "tls"
                                                       : "udp";
  }

  void onOutcome(const sip::Registration::Outcome& outcome) {
    using State = sip::Registration::State;
    switch (outcome.state) {
      case State::kRegistered:
        say("registered expires=" + std::to_string(outcome.expires.count()) + " contact=" + contact_);
        if (!holdArmed_ && options_.hold >= 0) {
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

  void stopRegistration() {
    if (registration_) {
      // Posted: the Registration must not be told to unregister from inside its own listener call.
      boost::asio::post(io_, [this] { registration_->unregister(); });
    } else {
      finish(exitCode_);
    }
  }

  void finish(int code) {
    exitCode_ = code;
    boost::asio::post(io_, [this] {
      if (transport_) transport_->stop();
      resolver_.reset();
      io_.stop();
    });
  }

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
  std::string contact_;
  uint16_t localPort_ = 0;
  bool holdArmed_ = false;
  int exitCode_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"callgate-sip: a SIP user agent on callgate's SIP stack"};
  app.require_subcommand(1);
  app.add_option("--transport", options.transport, "udp or tcp")->check(CLI::IsMember({"udp", "tcp"}));
  app.add_option("--listen", options.listen, "local numeric address to bind");
  app.add_option("--port", options.port, "local port (0: any free port)");
  app.add_option("--dns-servers", options.dnsServers,
                 "DNS servers, \"127.0.0.1:53,...\" (default: resolv.conf)");
  app.add_option("--t1-ms", options.t1Ms, "RFC 3261 T1 in milliseconds (timeouts are 64*T1)")
      ->check(CLI::Range(10, 10000));
  CLI::App* reg = app.add_subcommand("register", "register an account, stay registered, then unregister");
  reg->add_option("--registrar", options.registrar, "registrar URI, e.g. sip:example.com")->required();
  reg->add_option("--user", options.user, "SIP user (the AOR's user part)")->required();
  reg->add_option("--auth-user", options.authUser, "digest username (default: --user)");
  reg->add_option("--password", options.password, "digest password");
  reg->add_option("--expires", options.expires, "requested expiry in seconds")->check(CLI::Range(0, 86400));
  reg->add_option("--hold", options.hold, "seconds to stay registered (negative: until Ctrl-C)");
  CLI11_PARSE(app, argc, argv);

  const auto protocol = protocolFromName(options.transport);
  if (!protocol) return 2;
  Agent agent(options, *protocol);
  return agent.run();
}
