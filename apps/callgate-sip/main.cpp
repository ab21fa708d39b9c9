// callgate-sip: a command-line SIP user agent built on callgate's SIP stack (transports, transactions,
// registration, INVITE sessions), for interop tests with real peers and for debugging a SIP server by hand.
//
//   callgate-sip register --registrar sip:127.0.0.1:5060 --user 3000 --password 1234 --hold 5
//   callgate-sip call --target sip:bob@127.0.0.1:5090 --talk 2
//   callgate-sip --port 5090 wait --calls 1
//   callgate-sip message --target sip:bob@127.0.0.1:5090 --text "hello"
//
// prints one line per event ("registered ...", "trying", "answered ...", "ended by=local", ...) and exits 0
// when it did what was asked, 1 when the peer refused or could not be reached, 2 on bad usage.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "agent.hpp"
#include "core/stop_signals.hpp"

namespace {

using namespace callgate;

std::optional<sip::TransportProtocol> protocolFromName(const std::string& name) {
  if (name == "udp") return sip::TransportProtocol::kUdp;
  if (name == "tcp") return sip::TransportProtocol::kTcp;
  if (name == "tls") return sip::TransportProtocol::kTls;
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  cli::Options options;
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
  reg->add_option("--proxy", options.proxy, "outbound proxy URI the REGISTERs are sent through");
  reg->add_option("--user", options.user, "SIP user (the AOR's user part)")->required();
  reg->add_option("--auth-user", options.authUser, "digest username (default: --user)");
  reg->add_option("--password", options.password, "digest password");
  reg->add_option("--expires", options.expires, "requested expiry in seconds")->check(CLI::Range(0, 86400));
  reg->add_option("--hold", options.hold, "seconds to stay registered (negative: until Ctrl-C)");

  CLI::App* call = app.add_subcommand("call", "place one call, talk, hang up (or cancel)");
  call->add_option("--target", options.target, "the callee's URI, e.g. sip:bob@127.0.0.1:5090")->required();
  call->add_option("--proxy", options.proxy, "outbound proxy URI the INVITE is sent through");
  call->add_option("--user", options.user, "digest username for 401/407 (and the From user)");
  call->add_option("--auth-user", options.authUser, "digest username (default: --user)");
  call->add_option("--password", options.password, "digest password");
  call->add_option("--from-user", options.fromUser, "From user part (default: --user, else callgate)");
  call->add_option("--header", options.headers, "extra INVITE header \"Name: value\" (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  call->add_option("--talk", options.talk, "seconds in the answered call before our BYE (default 2)")
      ->check(CLI::Range(0, 86400));
  call->add_option("--no-answer-timeout", options.noAnswerTimeout,
                   "CANCEL after this many seconds unanswered")
      ->check(CLI::Range(1, 3600));
  call->add_option("--cancel-after", options.cancelAfter, "CANCEL this many seconds after the INVITE")
      ->check(CLI::Range(0, 3600));
  call->add_option("--rtp-port", options.rtpPort, "audio port in the SDP offer (no media is sent)");
  call->add_option("--reinvite-after", options.reinviteAfter,
                   "seconds after the answer: a re-INVITE putting the callee on hold (sendonly)")
      ->check(CLI::Range(0, 86400));
  call->add_option("--update-after", options.updateAfter,
                   "seconds after the answer: an UPDATE with a new offer")
      ->check(CLI::Range(0, 86400));
  call->add_option("--transfer-to", options.transferTo, "once answered, REFER the callee to this URI");
  call->add_option("--transfer-after", options.transferAfter, "seconds after the answer for --transfer-to")
      ->check(CLI::Range(0, 86400));

  CLI::App* wait = app.add_subcommand("wait", "take incoming calls: ring, answer or reject, hang up");
  wait->add_option("--registrar", options.registrar, "register here first, e.g. sip:example.com");
  wait->add_option("--proxy", options.proxy, "outbound proxy URI the REGISTERs are sent through");
  wait->add_option("--user", options.user, "SIP user to register");
  wait->add_option("--auth-user", options.authUser, "digest username (default: --user)");
  wait->add_option("--password", options.password, "digest password");
  wait->add_option("--expires", options.expires, "requested expiry in seconds")->check(CLI::Range(0, 86400));
  wait->add_option("--answer-after", options.answerAfter, "seconds of ringing before the answer (default 0)")
      ->check(CLI::Range(0, 3600));
  wait->add_option("--talk", options.talk, "seconds in the answered call before our BYE (default: wait)")
      ->check(CLI::Range(0, 86400));
  wait->add_option("--reject", options.rejectStatus, "reject every call with this status (300-699)")
      ->check(CLI::Range(300, 699));
  wait->add_option("--calls", options.calls, "exit after this many calls ended (default 1)")
      ->check(CLI::Range(1, 100000));
  wait->add_option("--min-se", options.minSe, "RFC 4028 Min-SE: smaller Session-Expires get 422 (default 90)")
      ->check(CLI::Range(1, 86400));

  CLI::App* message = app.add_subcommand("message", "send one MESSAGE (RFC 3428) and report its answer");
  message->add_option("--target", options.target, "the recipient's URI, e.g. sip:bob@127.0.0.1:5090")
      ->required();
  message->add_option("--proxy", options.proxy, "outbound proxy URI the MESSAGE is sent through");
  message->add_option("--user", options.user, "digest username for 401/407 (and the From user)");
  message->add_option("--auth-user", options.authUser, "digest username (default: --user)");
  message->add_option("--password", options.password, "digest password");
  message->add_option("--from-user", options.fromUser, "From user part (default: --user, else callgate)");
  message->add_option("--text", options.text, "the body (default \"hello\")");
  message->add_option("--content-type", options.contentType, "the body's type (default text/plain)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  if (wait->parsed() && !options.registrar.empty() && options.user.empty()) {
    std::cerr << "callgate-sip: wait --registrar needs --user\n";
    return 2;
  }
  options.command = call->parsed()      ? cli::Command::kCall
                    : wait->parsed()    ? cli::Command::kWait
                    : message->parsed() ? cli::Command::kMessage
                                        : cli::Command::kRegister;
  if (options.command == cli::Command::kWait) options.hold = -1;  // unregistered when the calls are done

  const auto protocol = protocolFromName(options.transport);
  if (!protocol) return 2;
  // SIGINT and SIGTERM stay blocked until the agent's handler is in place (Agent::run unblocks them): a
  // signal during start-up waits instead of killing the agent half set up, and the resolver's thread inherits
  // the mask.
  core::blockStopSignals();
  cli::Agent agent(options, *protocol);
  return agent.run();
}
