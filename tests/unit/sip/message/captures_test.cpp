// Real SIP messages from Kamailio 5.6, baresip 1.0 and SIPp 3.6 (tests/data/sip/captures, recorded byte for
// byte by tools/capture/capture.sh). Every file must parse with datagram framing, validate and round-trip;
// the interesting ones are then checked field by field.
//
// Values that change with every recording (branches, tags, Call-IDs, nonces) are read from the raw text with
// a regular expression, an oracle independent of the parser, so the checks stay exact when the captures are
// recorded again. Values the recording fixes (users, ports, methods, header counts) are literal.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "sip/message/header_id.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/message.hpp"
#include "sip/message/params.hpp"
#include "sip/message/parser.hpp"
#include "sip/message/stream_framer.hpp"
#include "sip/message/uri.hpp"
#include "sip/message/validate.hpp"
#include "sip/message/writer.hpp"

namespace callgate::sip {
namespace {

namespace fs = std::filesystem;

fs::path captureDir() {
  return fs::path(CALLGATE_TEST_DATA_DIR) / "sip" / "captures";
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every *.sip file of the captures folder, sorted: the directory is read when the tests are listed, so a new
// recording with other files is tested without editing this file.
std::vector<std::string> captureFiles() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(captureDir(), ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".sip")
      names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The first capture group of `pattern` in `text`, or "" when it does not match.
std::string rawMatch(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex(pattern)) && m.size() > 1) return m[1].str();
  return {};
}

// The value of the first header line named `name` (as the peer spelled it), straight from the bytes.
std::string rawHeader(const std::string& text, const std::string& name) {
  return rawMatch(text, "\r\n" + name + "[ \t]*:[ \t]*([^\r]*)\r\n");
}

// All comma-separated elements of every header with this id, in wire order.
std::vector<std::string_view> elements(const Message& m, HeaderId id) {
  std::vector<std::string_view> out;
  for (const auto& h : m.headers()) {
    if (h.id != id) continue;
    ListSplitter split(h.value);
    while (auto v = split.next()) out.push_back(*v);
  }
  return out;
}

bool isTcpCapture(std::string_view name) {
  return name.find("-tcp-") != std::string_view::npos;
}

// A parsed capture. The text lives on the heap next to the message that views it.
struct Capture {
  std::string name;
  std::string text;
  Message message;
};

std::unique_ptr<Capture> load(const std::string& name) {
  auto c = std::make_unique<Capture>();
  c->name = name;
  c->text = readFile(captureDir() / name);
  if (c->text.empty()) {
    ADD_FAILURE() << name << ": missing or empty";
    return nullptr;
  }
  auto m = parseMessage(c->text, isTcpCapture(name) ? Framing::kStream : Framing::kDatagram);
  if (!m) {
    ADD_FAILURE() << name << ": " << m.error().message;
    return nullptr;
  }
  c->message = std::move(*m);
  return c;
}

std::optional<Via> topVia(const Message& m) {
  const auto vias = elements(m, HeaderId::kVia);
  if (vias.empty()) return std::nullopt;
  auto via = parseVia(vias.front());
  if (!via) return std::nullopt;
  return *via;
}

std::optional<NameAddr> nameAddr(const Message& m, HeaderId id) {
  auto a = parseNameAddr(m.headerValue(id));
  if (!a) return std::nullopt;
  return *a;
}

std::optional<CSeq> cseq(const Message& m) {
  auto c = parseCSeq(m.headerValue(HeaderId::kCSeq));
  if (!c) return std::nullopt;
  return *c;
}

std::optional<ContactValue> contact(const Message& m) {
  const auto values = elements(m, HeaderId::kContact);
  if (values.empty()) return std::nullopt;
  auto c = parseContact(values.front());
  if (!c) return std::nullopt;
  return *c;
}

uint32_t cseqNumber(const std::string& text) {
  return static_cast<uint32_t>(std::stoul(rawMatch(text, "\r\nCSeq:[ \t]*([0-9]+)")));
}

// ---------------------------------------------------------------------------------------------------------
// Every capture.

class EveryCapture : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryCapture, ParsesValidatesAndRoundTrips) {
  const std::string name = GetParam();
  const std::string text = readFile(captureDir() / name);
  ASSERT_FALSE(text.empty()) << name;

  // RFC 3261 §18.3: over UDP a message is its datagram, TCP ones included (they carry a Content-Length).
  auto parsed = parseMessage(text, Framing::kDatagram);
  ASSERT_TRUE(parsed) << name << ": " << parsed.error().message;
  const Message& m = *parsed;
  EXPECT_EQ(m.raw(), text);
  EXPECT_EQ(m.version(), "SIP/2.0");

  auto valid = validateMessage(m);
  EXPECT_TRUE(valid) << name << ": " << (valid ? std::string() : valid.error().message);

  // The body is everything after the blank line and exactly Content-Length bytes long.
  const size_t blank = text.find("\r\n\r\n");
  ASSERT_NE(blank, std::string::npos);
  EXPECT_EQ(m.body(), std::string_view(text).substr(blank + 4));
  ASSERT_EQ(m.headerCount(HeaderId::kContentLength), 1u);
  auto contentLength =
      parseUnsignedHeader(m.headerValue(HeaderId::kContentLength), 1u << 20, "Content-Length");
  ASSERT_TRUE(contentLength) << contentLength.error().message;
  EXPECT_EQ(*contentLength, m.body().size());

  // Round trip through the writer, and through clone().
  const std::string written = toString(m);
  auto again = parseMessage(written);
  ASSERT_TRUE(again) << name << ": writer output does not parse: " << again.error().message << "\n"
                     << written;
  EXPECT_TRUE(*again == m) << name << ": round trip differs:\n" << written;
  EXPECT_TRUE(validateMessage(*again)) << name;
  const Message copy = m.clone();
  EXPECT_TRUE(copy == m) << name;

  // The typed views of the headers every element reads.
  for (const auto& h : m.headers()) {
    SCOPED_TRACE(std::string(h.name) + ": " + std::string(h.value));
    switch (h.id) {
      case HeaderId::kVia: {
        ListSplitter split(h.value);
        while (auto v = split.next()) {
          auto via = parseVia(*v);
          ASSERT_TRUE(via) << via.error().message;
          EXPECT_EQ(via->protocolName, "SIP");
          EXPECT_EQ(via->protocolVersion, "2.0");
          EXPECT_TRUE(via->transport == "UDP" || via->transport == "TCP") << via->transport;
          EXPECT_EQ(via->host, "127.0.0.1");
          EXPECT_EQ(via->hostType, HostType::kIPv4);
          EXPECT_TRUE(via->hasRfc3261Branch()) << via->branch;  // every peer here is an RFC 3261 element
        }
        break;
      }
      case HeaderId::kFrom:
      case HeaderId::kTo: {
        auto a = parseNameAddr(h.value);
        ASSERT_TRUE(a) << a.error().message;
        EXPECT_TRUE(a->uri.isSip());
        EXPECT_EQ(a->uri.host, "127.0.0.1");
        break;
      }
      case HeaderId::kContact: {
        ListSplitter split(h.value);
        while (auto v = split.next()) {
          auto c = parseContact(*v);
          ASSERT_TRUE(c) << c.error().message;
          EXPECT_FALSE(c->star);
          EXPECT_EQ(c->address.uri.host, "127.0.0.1");
          EXPECT_TRUE(c->address.uri.hasPort);
        }
        break;
      }
      case HeaderId::kRoute:
      case HeaderId::kRecordRoute: {
        ListSplitter split(h.value);
        while (auto v = split.next()) {
          auto a = parseNameAddr(*v);
          ASSERT_TRUE(a) << a.error().message;
          EXPECT_TRUE(a->angleBrackets);
          EXPECT_EQ(a->uri.host, "127.0.0.1");
          EXPECT_EQ(a->uri.param("lr"), "");  // loose routing (RFC 3261 §16.12.1.1)
        }
        break;
      }
      case HeaderId::kMaxForwards: {
        auto n = parseUnsignedHeader(h.value, 255, "Max-Forwards");
        ASSERT_TRUE(n) << n.error().message;
        EXPECT_GE(*n, 69u);
        break;
      }
      default:
        break;
    }
  }
  auto from = nameAddr(m, HeaderId::kFrom);
  ASSERT_TRUE(from);
  EXPECT_TRUE(from->tag().has_value()) << "RFC 3261 §8.1.1.3: every From has a tag";
  auto c = cseq(m);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sequence, cseqNumber(text));
  EXPECT_FALSE(m.headerValue(HeaderId::kCallId).empty());
  EXPECT_GE(m.headerCount(HeaderId::kVia), 1u);

  if (m.isRequest()) {
    EXPECT_EQ(c->method, m.method()) << "RFC 3261 §8.1.1.5";
    EXPECT_NE(m.methodId(), Method::kOther);
    auto ruri = parseUri(m.requestUri());
    ASSERT_TRUE(ruri) << ruri.error().message;
    EXPECT_EQ(ruri->scheme, UriScheme::kSip);
    EXPECT_EQ(ruri->host, "127.0.0.1");
  } else {
    EXPECT_GE(m.statusCode(), 100);
    EXPECT_LT(m.statusCode(), 700);
    EXPECT_FALSE(m.reason().empty());
    if (m.statusCode() > 100) {
      auto to = nameAddr(m, HeaderId::kTo);
      ASSERT_TRUE(to);
      EXPECT_TRUE(to->tag().has_value()) << "RFC 3261 §8.2.6.2: responses other than 100 carry a To tag";
    }
  }

  // Messages that came over TCP: the stream framer cuts exactly this message, which then parses with
  // stream framing (Content-Length mandatory and exact) to the same message.
  if (isTcpCapture(name)) {
    const std::string stream = "\r\n\r\n" + text + "OPTIONS";  // a keep-alive before, the next message after
    const FrameResult frame = frameMessage(stream);
    ASSERT_EQ(frame.status, FrameStatus::kComplete) << frame.error;
    EXPECT_EQ(frame.skip, 4u);
    EXPECT_EQ(frame.length, text.size());
    auto framed = parseMessage(std::string_view(stream).substr(frame.skip, frame.length), Framing::kStream);
    ASSERT_TRUE(framed) << framed.error().message;
    EXPECT_TRUE(*framed == m);
  }
}

std::string testName(const ::testing::TestParamInfo<std::string>& info) {
  std::string out;
  for (char ch : info.param.substr(0, info.param.size() - 4)) {
    out += (std::isalnum(static_cast<unsigned char>(ch)) != 0) ? ch : '_';
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Captures, EveryCapture, ::testing::ValuesIn(captureFiles()), testName);

TEST(Captures, FolderHoldsTheRecording) {
  const auto names = captureFiles();
  EXPECT_GE(names.size(), 25u);
  for (const char* expected :
       {"kamailio-401-register.sip", "baresip-register-auth.sip", "baresip-invite.sip",
        "kamailio-407-invite.sip", "kamailio-invite-forwarded.sip", "baresip-180.sip",
        "baresip-200-invite.sip", "baresip-ack.sip", "baresip-bye.sip", "sipp-uac-invite.sip",
        "sipp-uas-200.sip", "sipp-options.sip", "baresip-tcp-invite-auth.sip"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Registration: REGISTER, 401, REGISTER with credentials, 200 (baresip 3001 over UDP).

TEST(CapturedRegister, FirstRegisterHasNoCredentials) {
  auto c = load("baresip-register.sip");
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.methodId(), Method::kRegister);
  EXPECT_EQ(m.requestUri(), "sip:127.0.0.1;transport=udp");
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri);
  EXPECT_FALSE(ruri->hasUser);
  EXPECT_EQ(ruri->param("transport"), "udp");
  EXPECT_EQ(m.header(HeaderId::kAuthorization), nullptr);

  auto via = topVia(m);
  ASSERT_TRUE(via);
  EXPECT_EQ(via->transport, "UDP");
  EXPECT_EQ(via->port, 5070);
  EXPECT_TRUE(via->hasPort);
  EXPECT_EQ(via->rport, std::optional<std::string_view>(""));  // RFC 3581 §3: rport without a value
  EXPECT_TRUE(via->received.empty());
  EXPECT_EQ(via->branch, rawMatch(c->text, "\r\nVia: [^\r]*;branch=([^;\r]+)"));

  auto to = nameAddr(m, HeaderId::kTo);
  ASSERT_TRUE(to);
  EXPECT_EQ(to->uri.user, "3001");
  EXPECT_FALSE(to->tag().has_value());
  auto from = nameAddr(m, HeaderId::kFrom);
  ASSERT_TRUE(from);
  EXPECT_EQ(from->tag(), rawMatch(c->text, "\r\nFrom: [^\r]*;tag=([^;\r]+)"));

  // baresip's Contact: a user part with '-' and 'x', expires, and a +sip.instance whose quoted value holds
  // '<' and '>' (RFC 5626 §4.1), which must not end the name-addr.
  auto ct = contact(m);
  ASSERT_TRUE(ct);
  EXPECT_TRUE(ct->address.angleBrackets);
  EXPECT_EQ(ct->address.uri.user, rawMatch(c->text, "\r\nContact: <sip:([^@]+)@"));
  EXPECT_TRUE(ct->address.uri.user.starts_with("3001-"));
  EXPECT_EQ(ct->address.uri.port, 5070);
  EXPECT_EQ(ct->address.param("expires"), "600");
  const auto instance = ct->address.param("+sip.instance");
  ASSERT_TRUE(instance.has_value());
  EXPECT_EQ(*instance, "\"<urn:uuid:" + rawMatch(c->text, "urn:uuid:([0-9a-f-]+)>") + ">\"");
  EXPECT_EQ(unquote(*instance), "<urn:uuid:" + rawMatch(c->text, "urn:uuid:([0-9a-f-]+)>") + ">");

  const auto allow = elements(m, HeaderId::kAllow);
  EXPECT_EQ(allow.size(), 10u);
  EXPECT_EQ(allow.front(), "INVITE");
  EXPECT_EQ(allow.back(), "REFER");
  EXPECT_EQ(m.headerValue(HeaderId::kUserAgent), "baresip v1.0.0 (x86_64/linux)");
}

TEST(CapturedRegister, Kamailio401ChallengesWithDigest) {
  auto c = load("kamailio-401-register.sip");
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_TRUE(m.isResponse());
  EXPECT_EQ(m.statusCode(), 401);
  EXPECT_EQ(m.reason(), "Unauthorized");
  auto cs = cseq(m);
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->method, "REGISTER");

  // Kamailio answers with the client's Via plus received and the rport value (RFC 3581 §4).
  auto via = topVia(m);
  ASSERT_TRUE(via);
  EXPECT_EQ(via->port, 5070);
  EXPECT_EQ(via->rport, std::optional<std::string_view>("5070"));
  EXPECT_EQ(via->received, "127.0.0.1");
  EXPECT_EQ(via->param("received"), "127.0.0.1");
  EXPECT_EQ(via->branch, rawMatch(c->text, "\r\nVia: [^\r]*;branch=([^;\r]+)"));
  EXPECT_EQ(m.headerCount(HeaderId::kVia), 1u);

  // One challenge, not split at its commas (auth headers are not comma lists).
  ASSERT_EQ(m.headerCount(HeaderId::kWwwAuthenticate), 1u);
  EXPECT_FALSE(headerIsCommaList(HeaderId::kWwwAuthenticate));
  const std::string_view challenge = m.headerValue(HeaderId::kWwwAuthenticate);
  EXPECT_EQ(challenge, rawHeader(c->text, "WWW-Authenticate"));
  EXPECT_TRUE(challenge.starts_with("Digest ")) << challenge;
  EXPECT_NE(challenge.find("realm=\"127.0.0.1\""), std::string_view::npos);
  const std::string nonce = rawMatch(c->text, "nonce=\"([^\"]+)\"");
  EXPECT_FALSE(nonce.empty());
  EXPECT_NE(challenge.find("nonce=\"" + nonce + "\""), std::string_view::npos);
  EXPECT_NE(challenge.find("qop=\"auth\""), std::string_view::npos);

  auto to = nameAddr(m, HeaderId::kTo);
  ASSERT_TRUE(to);
  EXPECT_EQ(to->tag(), rawMatch(c->text, "\r\nTo: [^\r]*;tag=([^;\r]+)"));  // "hex.hex": a token with a dot
  EXPECT_EQ(m.headerValue(HeaderId::kServer), "kamailio (5.6.3 (x86_64/linux))");
  EXPECT_TRUE(m.body().empty());
}

TEST(CapturedRegister, RetryCarriesCredentialsInTheSameDialogOfRegistration) {
  auto challenge = load("kamailio-401-register.sip");
  auto c = load("baresip-register-auth.sip");
  ASSERT_TRUE(challenge);
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.methodId(), Method::kRegister);
  // RFC 3261 §10.2: same Call-ID, CSeq one higher, same From tag.
  EXPECT_EQ(m.headerValue(HeaderId::kCallId), challenge->message.headerValue(HeaderId::kCallId));
  auto cs = cseq(m);
  auto cs401 = cseq(challenge->message);
  ASSERT_TRUE(cs);
  ASSERT_TRUE(cs401);
  EXPECT_EQ(cs->sequence, cs401->sequence + 1);
  EXPECT_EQ(nameAddr(m, HeaderId::kFrom)->tag(), nameAddr(challenge->message, HeaderId::kFrom)->tag());

  ASSERT_EQ(m.headerCount(HeaderId::kAuthorization), 1u);
  const std::string_view credentials = m.headerValue(HeaderId::kAuthorization);
  EXPECT_EQ(credentials, rawHeader(c->text, "Authorization"));
  EXPECT_TRUE(credentials.starts_with("Digest username=\"3001\", realm=\"127.0.0.1\", nonce=\"" +
                                      rawMatch(challenge->text, "nonce=\"([^\"]+)\"") + "\""))
      << credentials;
  EXPECT_NE(credentials.find("qop=auth, nc=00000001"), std::string_view::npos);
}

TEST(CapturedRegister, Kamailio200ListsTheBinding) {
  auto c = load("kamailio-200-register.sip");
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.statusCode(), 200);
  EXPECT_EQ(m.reason(), "OK");
  auto ct = contact(m);
  ASSERT_TRUE(ct);
  EXPECT_TRUE(ct->address.uri.user.starts_with("3001-"));
  EXPECT_EQ(ct->address.uri.port, 5070);
  EXPECT_TRUE(ct->address.param("expires").has_value());
}

TEST(CapturedRegister, UnregisterSetsExpiresZeroOnTheContact) {
  auto c = load("baresip-unregister.sip");
  ASSERT_TRUE(c);
  auto ct = contact(c->message);
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->address.param("expires"), "0");
  EXPECT_TRUE(ct->address.uri.user.starts_with("3002-"));
}

// ---------------------------------------------------------------------------------------------------------
// A call: baresip 3002 -> Kamailio -> baresip 3001 over UDP.

TEST(CapturedCall, InviteCarriesTheOfferAndNoCredentials) {
  auto c = load("baresip-invite.sip");
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.methodId(), Method::kInvite);
  EXPECT_EQ(m.requestUri(), "sip:3001@127.0.0.1;transport=udp");
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri);
  EXPECT_EQ(ruri->user, "3001");
  EXPECT_FALSE(ruri->hasPort);
  EXPECT_EQ(m.header(HeaderId::kProxyAuthorization), nullptr);
  EXPECT_EQ(m.headerValue(HeaderId::kContentType), "application/sdp");
  EXPECT_EQ(m.headerValue(HeaderId::kSupported), "gruu");
  EXPECT_EQ(m.body(), readFile(fs::path(CALLGATE_TEST_DATA_DIR) / "sdp" / "baresip-offer.sdp"));
  EXPECT_TRUE(m.body().starts_with("v=0\r\n"));
  auto via = topVia(m);
  ASSERT_TRUE(via);
  EXPECT_EQ(via->port, 5080);
  EXPECT_EQ(via->rport, std::optional<std::string_view>(""));
  auto from = nameAddr(m, HeaderId::kFrom);
  ASSERT_TRUE(from);
  EXPECT_EQ(from->uri.user, "3002");
  EXPECT_TRUE(from->displayName.empty());
}

TEST(CapturedCall, Kamailio407ChallengesTheInvite) {
  auto invite = load("baresip-invite.sip");
  auto c = load("kamailio-407-invite.sip");
  ASSERT_TRUE(invite);
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.statusCode(), 407);
  EXPECT_EQ(m.reason(), "Proxy Authentication Required");
  auto cs = cseq(m);
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->method, "INVITE");
  EXPECT_EQ(cs->sequence, cseq(invite->message)->sequence);
  EXPECT_EQ(topVia(m)->branch, topVia(invite->message)->branch);
  EXPECT_EQ(topVia(m)->received, "127.0.0.1");
  EXPECT_EQ(topVia(m)->rport, std::optional<std::string_view>("5080"));
  ASSERT_EQ(m.headerCount(HeaderId::kProxyAuthenticate), 1u);
  const std::string_view challenge = m.headerValue(HeaderId::kProxyAuthenticate);
  EXPECT_TRUE(challenge.starts_with("Digest realm=\"127.0.0.1\", nonce=\"")) << challenge;
  EXPECT_NE(challenge.find("nonce=\"" + rawMatch(c->text, "nonce=\"([^\"]+)\"") + "\""),
            std::string_view::npos);
}

TEST(CapturedCall, AckToThe407UsesTheInvitesBranch) {
  auto invite = load("baresip-invite.sip");
  auto challenge = load("kamailio-407-invite.sip");
  auto c = load("baresip-ack-407.sip");
  ASSERT_TRUE(invite);
  ASSERT_TRUE(challenge);
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.methodId(), Method::kAck);
  // RFC 3261 §17.1.1.3: same Request-URI, top Via (branch), CSeq number; To carries the 407's tag.
  EXPECT_EQ(m.requestUri(), invite->message.requestUri());
  EXPECT_EQ(topVia(m)->branch, topVia(invite->message)->branch);
  auto cs = cseq(m);
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->method, "ACK");
  EXPECT_EQ(cs->sequence, cseq(invite->message)->sequence);
  EXPECT_EQ(nameAddr(m, HeaderId::kTo)->tag(), nameAddr(challenge->message, HeaderId::kTo)->tag());
  EXPECT_TRUE(validateMessage(m));
}

TEST(CapturedCall, InviteRetryCarriesProxyCredentials) {
  auto invite = load("baresip-invite.sip");
  auto c = load("baresip-invite-auth.sip");
  ASSERT_TRUE(invite);
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.methodId(), Method::kInvite);
  EXPECT_EQ(cseq(m)->sequence, cseq(invite->message)->sequence + 1);
  EXPECT_NE(topVia(m)->branch, topVia(invite->message)->branch);  // a new transaction
  ASSERT_EQ(m.headerCount(HeaderId::kProxyAuthorization), 1u);
  EXPECT_TRUE(m.headerValue(HeaderId::kProxyAuthorization)
                  .starts_with("Digest username=\"3002\", realm=\"127.0.0.1\""));
  EXPECT_EQ(m.body(), invite->message.body());
}

TEST(CapturedCall, Kamailio100HasAReasonWithPunctuation) {
  auto c = load("kamailio-100-invite.sip");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->message.statusCode(), 100);
  EXPECT_EQ(c->message.reason(), "trying -- your call is important to us");
  EXPECT_EQ(cseq(c->message)->method, "INVITE");
}

TEST(CapturedCall, ForwardedInviteHasRecordRouteAndTwoVias) {
  auto original = load("baresip-invite-auth.sip");
  auto c = load("kamailio-invite-forwarded.sip");
  ASSERT_TRUE(original);
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.methodId(), Method::kInvite);
  // The Request-URI is now the registered Contact of 3001.
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri);
  EXPECT_TRUE(ruri->user.starts_with("3001-"));
  EXPECT_EQ(ruri->port, 5070);

  ASSERT_EQ(m.headerCount(HeaderId::kRecordRoute), 1u);
  const auto rr = elements(m, HeaderId::kRecordRoute);
  ASSERT_EQ(rr.size(), 1u);
  auto route = parseNameAddr(rr.front());
  ASSERT_TRUE(route);
  EXPECT_EQ(route->uri.host, "127.0.0.1");
  EXPECT_FALSE(route->uri.hasPort);
  EXPECT_EQ(route->uri.param("lr"), "");
  EXPECT_EQ(route->uri.param("ftag"), nameAddr(m, HeaderId::kFrom)->tag());

  // Kamailio's Via on top (no port, its own branch), the caller's below with received and rport filled in.
  ASSERT_EQ(m.headerCount(HeaderId::kVia), 2u);
  const auto vias = elements(m, HeaderId::kVia);
  ASSERT_EQ(vias.size(), 2u);
  auto top = parseVia(vias[0]);
  auto second = parseVia(vias[1]);
  ASSERT_TRUE(top);
  ASSERT_TRUE(second);
  EXPECT_FALSE(top->hasPort);
  EXPECT_EQ(top->branch, rawMatch(c->text, "\r\nVia: [^\r]*;branch=([^;\r]+)"));
  EXPECT_TRUE(top->branch.starts_with("z9hG4bK"));
  EXPECT_FALSE(top->rport.has_value());
  EXPECT_EQ(second->port, 5080);
  EXPECT_EQ(second->received, "127.0.0.1");
  EXPECT_EQ(second->rport, std::optional<std::string_view>("5080"));
  EXPECT_EQ(second->branch, topVia(original->message)->branch);

  EXPECT_EQ(m.headerValue(HeaderId::kMaxForwards), "69");
  EXPECT_EQ(m.header(HeaderId::kProxyAuthorization), nullptr);  // consume_credentials()
  EXPECT_EQ(m.headerValue(HeaderId::kCallId), original->message.headerValue(HeaderId::kCallId));
  EXPECT_EQ(m.body(), original->message.body());
}

TEST(CapturedCall, RingingAndAnswerFromTheCallee) {
  auto ringing = load("baresip-180.sip");
  auto c = load("baresip-200-invite.sip");
  ASSERT_TRUE(ringing);
  ASSERT_TRUE(c);
  EXPECT_EQ(ringing->message.statusCode(), 180);
  EXPECT_EQ(ringing->message.reason(), "Ringing");
  const Message& m = c->message;
  EXPECT_EQ(m.statusCode(), 200);
  EXPECT_EQ(m.reason(), "Answering");
  EXPECT_EQ(cseq(m)->method, "INVITE");
  // Both keep the Record-Route and both Vias; the dialog's To tag is the same.
  EXPECT_EQ(m.headerCount(HeaderId::kRecordRoute), 1u);
  EXPECT_EQ(m.headerCount(HeaderId::kVia), 2u);
  EXPECT_EQ(ringing->message.headerCount(HeaderId::kVia), 2u);
  auto to = nameAddr(m, HeaderId::kTo);
  ASSERT_TRUE(to);
  EXPECT_EQ(to->tag(), rawMatch(c->text, "\r\nTo: [^\r]*;tag=([^;\r]+)"));
  EXPECT_EQ(to->tag(), nameAddr(ringing->message, HeaderId::kTo)->tag());
  EXPECT_EQ(to->uri.param("transport"), "udp");
  auto ct = contact(m);
  ASSERT_TRUE(ct);
  EXPECT_TRUE(ct->address.uri.user.starts_with("3001-"));
  EXPECT_EQ(ct->address.uri.port, 5070);
  EXPECT_EQ(m.headerValue(HeaderId::kServer), "baresip v1.0.0 (x86_64/linux)");
  EXPECT_EQ(m.body(), readFile(fs::path(CALLGATE_TEST_DATA_DIR) / "sdp" / "baresip-answer.sdp"));
}

TEST(CapturedCall, ForwardedAnswerLosesKamailiosVia) {
  auto answer = load("baresip-200-invite.sip");
  auto c = load("kamailio-200-invite-forwarded.sip");
  ASSERT_TRUE(answer);
  ASSERT_TRUE(c);
  const Message& m = c->message;
  ASSERT_EQ(m.headerCount(HeaderId::kVia), 1u);
  auto via = topVia(m);
  ASSERT_TRUE(via);
  EXPECT_EQ(via->port, 5080);
  EXPECT_EQ(via->rport, std::optional<std::string_view>("5080"));
  EXPECT_EQ(m.body(), answer->message.body());
  EXPECT_EQ(m.headerValue(HeaderId::kRecordRoute), answer->message.headerValue(HeaderId::kRecordRoute));
}

TEST(CapturedCall, AckFollowsTheRouteSet) {
  auto answer = load("baresip-200-invite.sip");
  auto invite = load("baresip-invite-auth.sip");
  auto c = load("baresip-ack.sip");
  ASSERT_TRUE(answer);
  ASSERT_TRUE(invite);
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.methodId(), Method::kAck);
  // RFC 3261 §12.2.1.1: Request-URI = remote target (the 200's Contact), Route = the Record-Route set.
  EXPECT_EQ(m.requestUri(), contact(answer->message)->address.uri.text);
  ASSERT_EQ(m.headerCount(HeaderId::kRoute), 1u);
  EXPECT_EQ(m.headerValue(HeaderId::kRoute), answer->message.headerValue(HeaderId::kRecordRoute));
  auto cs = cseq(m);
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->method, "ACK");
  EXPECT_EQ(cs->sequence, cseq(invite->message)->sequence);
  EXPECT_NE(topVia(m)->branch, topVia(invite->message)->branch);  // ACK to a 2xx is its own transaction
}

TEST(CapturedCall, ByeAndItsForwardAndAnswer) {
  auto bye = load("baresip-bye.sip");
  auto forwarded = load("kamailio-bye-forwarded.sip");
  auto ok = load("baresip-200-bye.sip");
  ASSERT_TRUE(bye);
  ASSERT_TRUE(forwarded);
  ASSERT_TRUE(ok);
  EXPECT_EQ(bye->message.methodId(), Method::kBye);
  EXPECT_EQ(cseq(bye->message)->method, "BYE");
  EXPECT_EQ(bye->message.headerCount(HeaderId::kRoute), 1u);
  EXPECT_EQ(bye->message.headerCount(HeaderId::kVia), 1u);
  // loose_route() consumed the Route that named Kamailio; it added its Via.
  EXPECT_EQ(forwarded->message.headerCount(HeaderId::kRoute), 0u);
  EXPECT_EQ(forwarded->message.headerCount(HeaderId::kVia), 2u);
  EXPECT_EQ(forwarded->message.headerValue(HeaderId::kMaxForwards), "69");
  EXPECT_EQ(forwarded->message.requestUri(), bye->message.requestUri());
  EXPECT_EQ(ok->message.statusCode(), 200);
  EXPECT_EQ(cseq(ok->message)->method, "BYE");
  EXPECT_EQ(cseq(ok->message)->sequence, cseq(bye->message)->sequence);
  EXPECT_EQ(topVia(ok->message)->branch, topVia(forwarded->message)->branch);
}

// ---------------------------------------------------------------------------------------------------------
// Over TCP: baresip 3003 registers and calls; Kamailio bridges TCP to UDP with two Record-Routes.

TEST(CapturedTcp, RegisterAndInviteUseTcpVias) {
  for (const char* name :
       {"baresip-tcp-register-auth.sip", "baresip-tcp-invite-auth.sip", "baresip-tcp-bye.sip"}) {
    SCOPED_TRACE(name);
    auto c = load(name);
    ASSERT_TRUE(c);
    auto via = topVia(c->message);
    ASSERT_TRUE(via);
    EXPECT_EQ(via->transport, "TCP");
    EXPECT_EQ(via->port, 5100);
    EXPECT_EQ(via->rport, std::optional<std::string_view>(""));
  }
  auto c = load("baresip-tcp-invite-auth.sip");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->message.requestUri(), "sip:3001@127.0.0.1;transport=tcp");
  auto ct = contact(c->message);
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->address.uri.param("transport"), "tcp");
  EXPECT_EQ(ct->address.uri.port, 5100);
}

TEST(CapturedTcp, InviteForwardedFromTcpHasDoubleRecordRoute) {
  auto c = load("kamailio-invite-forwarded-from-tcp.sip");
  ASSERT_TRUE(c);
  const Message& m = c->message;
  // RFC 3261 §16.6 step 4 with two transports: Kamailio records one route per side (r2=on).
  ASSERT_EQ(m.headerCount(HeaderId::kRecordRoute), 2u);
  const auto rr = elements(m, HeaderId::kRecordRoute);
  ASSERT_EQ(rr.size(), 2u);
  auto udpSide = parseNameAddr(rr[0]);
  auto tcpSide = parseNameAddr(rr[1]);
  ASSERT_TRUE(udpSide);
  ASSERT_TRUE(tcpSide);
  EXPECT_FALSE(udpSide->uri.param("transport").has_value());
  EXPECT_EQ(udpSide->uri.param("r2"), "on");
  EXPECT_EQ(tcpSide->uri.param("transport"), "tcp");
  EXPECT_EQ(tcpSide->uri.param("r2"), "on");
  EXPECT_EQ(tcpSide->uri.param("lr"), "");

  const auto vias = elements(m, HeaderId::kVia);
  ASSERT_EQ(vias.size(), 2u);
  auto top = parseVia(vias[0]);
  auto client = parseVia(vias[1]);
  ASSERT_TRUE(top);
  ASSERT_TRUE(client);
  EXPECT_EQ(top->transport, "UDP");
  EXPECT_EQ(top->param("i"), rawMatch(c->text, "\r\nVia: [^\r]*;i=([^;\r]+)"));
  EXPECT_EQ(client->transport, "TCP");
  EXPECT_EQ(client->port, 5100);
  EXPECT_EQ(client->received, "127.0.0.1");
  // rport holds the client's ephemeral source port, not the 5100 of sent-by.
  ASSERT_TRUE(client->rport.has_value());
  EXPECT_EQ(*client->rport, rawMatch(c->text, "\r\nVia: SIP/2.0/TCP [^\r]*;rport=([0-9]+)"));
  EXPECT_NE(*client->rport, "5100");
}

TEST(CapturedTcp, AnswerForwardedOverTcpFramesAsAStream) {
  auto c = load("kamailio-tcp-200-invite-forwarded.sip");
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.statusCode(), 200);
  EXPECT_EQ(m.headerCount(HeaderId::kRecordRoute), 2u);
  EXPECT_EQ(topVia(m)->transport, "TCP");
  // Two messages back to back in one stream are cut apart.
  const std::string stream = c->text + c->text;
  const FrameResult first = frameMessage(stream);
  ASSERT_EQ(first.status, FrameStatus::kComplete) << first.error;
  EXPECT_EQ(first.length, c->text.size());
  const FrameResult second = frameMessage(std::string_view(stream).substr(first.skip + first.length));
  ASSERT_EQ(second.status, FrameStatus::kComplete) << second.error;
  EXPECT_EQ(second.length, c->text.size());
  // Cut short, the stream needs more bytes.
  EXPECT_EQ(frameMessage(std::string_view(c->text).substr(0, c->text.size() - 1)).status,
            FrameStatus::kNeedMore);
}

// ---------------------------------------------------------------------------------------------------------
// SIPp built-in scenarios and the scenarios of tools/capture.

TEST(CapturedSipp, UacInviteWithBareContactAndPaddedContentLength) {
  auto c = load("sipp-uac-invite.sip");
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.methodId(), Method::kInvite);
  EXPECT_EQ(m.requestUri(), "sip:3001@127.0.0.1:5090");
  auto via = topVia(m);
  ASSERT_TRUE(via);
  EXPECT_EQ(via->port, 5092);
  EXPECT_FALSE(via->rport.has_value());
  EXPECT_EQ(via->branch, rawMatch(c->text, "\r\nVia: [^\r]*;branch=([^;\r]+)"));
  auto from = nameAddr(m, HeaderId::kFrom);
  ASSERT_TRUE(from);
  EXPECT_EQ(from->displayName, "sipp");  // a token display name
  EXPECT_EQ(from->uri.user, "sipp");
  EXPECT_EQ(from->uri.port, 5092);
  EXPECT_EQ(from->tag(), rawMatch(c->text, "\r\nFrom: [^\r]*;tag=([^;\r]+)"));
  auto to = nameAddr(m, HeaderId::kTo);
  ASSERT_TRUE(to);
  EXPECT_EQ(to->displayName, "3001");
  // Contact without angle brackets (RFC 3261 §20.10 addr-spec).
  auto ct = contact(m);
  ASSERT_TRUE(ct);
  EXPECT_FALSE(ct->address.angleBrackets);
  EXPECT_EQ(ct->address.uri.user, "sipp");
  EXPECT_EQ(ct->address.uri.port, 5092);
  EXPECT_EQ(m.headerValue(HeaderId::kSubject), "Performance Test");
  // "Content-Length:   129": the value is trimmed of its LWS.
  EXPECT_EQ(m.headerValue(HeaderId::kContentLength), std::to_string(m.body().size()));
  EXPECT_EQ(m.body(), readFile(fs::path(CALLGATE_TEST_DATA_DIR) / "sdp" / "sipp-offer.sdp"));
  EXPECT_EQ(cseq(m)->sequence, 1u);
}

TEST(CapturedSipp, UasAnswers) {
  auto invite = load("sipp-uac-invite.sip");
  auto ringing = load("sipp-uas-180.sip");
  auto c = load("sipp-uas-200.sip");
  ASSERT_TRUE(invite);
  ASSERT_TRUE(ringing);
  ASSERT_TRUE(c);
  EXPECT_EQ(ringing->message.statusCode(), 180);
  const Message& m = c->message;
  EXPECT_EQ(m.statusCode(), 200);
  EXPECT_EQ(m.reason(), "OK");
  EXPECT_EQ(topVia(m)->branch, topVia(invite->message)->branch);
  EXPECT_EQ(m.headerValue(HeaderId::kCallId), invite->message.headerValue(HeaderId::kCallId));
  auto ct = contact(m);
  ASSERT_TRUE(ct);
  EXPECT_FALSE(ct->address.uri.hasUser);
  EXPECT_EQ(ct->address.uri.port, 5090);
  EXPECT_EQ(ct->address.uri.param("transport"), "UDP");  // upper case as SIPp writes it
  EXPECT_EQ(m.body(), readFile(fs::path(CALLGATE_TEST_DATA_DIR) / "sdp" / "sipp-answer.sdp"));
  auto bye = load("sipp-uac-bye.sip");
  ASSERT_TRUE(bye);
  EXPECT_EQ(cseq(bye->message)->sequence, 2u);
  EXPECT_EQ(cseq(bye->message)->method, "BYE");
}

TEST(CapturedSipp, BaresipAnswersSippsOffer) {
  auto c = load("baresip-200-invite-to-sipp.sip");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->message.statusCode(), 200);
  EXPECT_EQ(c->message.headerCount(HeaderId::kVia), 1u);
  EXPECT_EQ(topVia(c->message)->port, 5094);
  EXPECT_EQ(c->message.body(),
            readFile(fs::path(CALLGATE_TEST_DATA_DIR) / "sdp" / "baresip-answer-to-sipp.sdp"));
}

TEST(CapturedSipp, AuthenticatedInviteWithQuotedDisplayName) {
  auto c = load("sipp-invite-auth.sip");
  ASSERT_TRUE(c);
  const Message& m = c->message;
  auto from = nameAddr(m, HeaderId::kFrom);
  ASSERT_TRUE(from);
  EXPECT_EQ(from->displayName, "\"SIPp 3005\"");
  EXPECT_EQ(unquote(from->displayName), "SIPp 3005");
  EXPECT_EQ(from->uri.user, "3005");
  ASSERT_EQ(m.headerCount(HeaderId::kProxyAuthorization), 1u);
  // SIPp writes the credentials without spaces after the commas.
  EXPECT_TRUE(m.headerValue(HeaderId::kProxyAuthorization)
                  .starts_with("Digest username=\"3005\",realm=\"127.0.0.1\","));
  EXPECT_EQ(m.headerValue(HeaderId::kProxyAuthorization), rawHeader(c->text, "Proxy-Authorization"));
  EXPECT_EQ(cseq(m)->sequence, 2u);
  EXPECT_EQ(topVia(m)->rport, std::optional<std::string_view>(""));
}

TEST(CapturedSipp, AckAlongTheRecordedRoute) {
  auto c = load("sipp-ack-routes.sip");
  ASSERT_TRUE(c);
  const Message& m = c->message;
  EXPECT_EQ(m.methodId(), Method::kAck);
  ASSERT_EQ(m.headerCount(HeaderId::kRoute), 1u);
  auto route = parseNameAddr(m.headerValue(HeaderId::kRoute));
  ASSERT_TRUE(route);
  EXPECT_EQ(route->uri.param("ftag"), nameAddr(m, HeaderId::kFrom)->tag());
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri);
  EXPECT_TRUE(ruri->user.starts_with("3001-"));
  EXPECT_EQ(ruri->port, 5070);
  EXPECT_EQ(cseq(m)->method, "ACK");
  EXPECT_TRUE(nameAddr(m, HeaderId::kTo)->tag().has_value());
}

TEST(CapturedSipp, OptionsToTheProxyAndItsAnswer) {
  auto c = load("sipp-options.sip");
  auto ok = load("kamailio-200-options.sip");
  ASSERT_TRUE(c);
  ASSERT_TRUE(ok);
  EXPECT_EQ(c->message.methodId(), Method::kOptions);
  auto ruri = parseUri(c->message.requestUri());
  ASSERT_TRUE(ruri);
  EXPECT_FALSE(ruri->hasUser);
  EXPECT_EQ(ruri->port, 5060);
  EXPECT_EQ(c->message.headerValue(HeaderId::kAccept), "application/sdp");
  EXPECT_EQ(ok->message.statusCode(), 200);
  EXPECT_EQ(cseq(ok->message)->method, "OPTIONS");
  EXPECT_EQ(topVia(ok->message)->rport, std::optional<std::string_view>("5098"));
  EXPECT_EQ(topVia(ok->message)->received, "127.0.0.1");
  EXPECT_EQ(topVia(ok->message)->branch, topVia(c->message)->branch);
}

}  // namespace
}  // namespace callgate::sip
