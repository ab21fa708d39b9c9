// libFuzzer target for the digest parsers (STYLE.md: one target per parser). The input is tried as a
// WWW-Authenticate / Proxy-Authenticate value and as an Authorization value. What parses is then driven
// through the client and the server check, and invariants that must hold for any input are checked:
//  - an answer to any accepted challenge is itself accepted by the credentials parser and verifies;
//  - accepted credentials write back (toString) to a value that parses to the same fields;
//  - the Authenticator never answers a response with no usable challenge.
// A violated invariant traps, so libFuzzer records the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sip/auth/authenticator.hpp"
#include "sip/auth/digest_challenge.hpp"
#include "sip/auth/digest_client.hpp"
#include "sip/auth/digest_credentials.hpp"
#include "sip/auth/digest_response.hpp"

namespace {

using namespace callgate::sip::auth;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void fuzzChallenge(std::string_view input) {
  auto challenge = DigestChallenge::parse(input);
  if (!challenge) return;
  DigestClient client([] { return std::string("0a4f113b"); });
  const UserCredentials user{"alice", "secret"};
  const DigestRequest request{"INVITE", "sip:bob@biloxi.com", "v=0\r\n"};
  auto answer = client.answer(*challenge, user, request);
  if (!answer) return;  // e.g. only unknown qop values offered
  auto reparsed = DigestCredentials::parse(answer->toString());
  check(reparsed.ok());
  check(reparsed->realm == challenge->realm && reparsed->nonce == challenge->nonce);
  check(verifyDigestCredentials(*reparsed, "alice", "secret", "INVITE", "v=0\r\n").ok());
}

void fuzzCredentials(std::string_view input) {
  auto credentials = DigestCredentials::parse(input);
  if (!credentials) return;
  // Exercises the whole computation on attacker-chosen fields; the result only has to be an answer.
  (void)verifyDigestCredentials(*credentials, credentials->username, "secret", "REGISTER", "");
  auto again = DigestCredentials::parse(credentials->toString());
  check(again.ok());
  check(again->username == credentials->username && again->realm == credentials->realm &&
        again->nonce == credentials->nonce && again->uri == credentials->uri &&
        again->response == credentials->response && again->qop == credentials->qop &&
        again->cnonce == credentials->cnonce && again->opaque == credentials->opaque);
}

void fuzzAuthenticator(std::string_view input) {
  // The input split at NUL bytes: several challenge headers of one response, alternating 401/407.
  std::vector<ReceivedChallenge> challenges;
  size_t start = 0;
  bool proxy = false;
  while (start <= input.size() && challenges.size() < 8) {
    const size_t end = input.find('\0', start);
    const std::string_view part =
        input.substr(start, end == std::string_view::npos ? input.npos : end - start);
    challenges.push_back(ReceivedChallenge{proxy, part});
    proxy = !proxy;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  Authenticator auth({"alice", "secret"}, AuthenticatorConfig{3}, [] { return std::string("c"); });
  const DigestRequest request{"REGISTER", "sip:atlanta.com", ""};
  bool anyUsable = false;
  for (const auto& c : challenges) anyUsable = anyUsable || DigestChallenge::parse(c.value).ok();
  for (int round = 0; round < 5; ++round) {
    const auto decision = auth.onChallenge(challenges, request);
    if (!anyUsable) check(!decision.answered());
    if (!decision.answered()) break;
    check(!decision.headers.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzzChallenge(input);
  fuzzCredentials(input);
  fuzzAuthenticator(input);
  return 0;
}
