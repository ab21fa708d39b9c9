// RFC 4475, "SIP Torture Test Messages": every message of §3, read from tests/data/sip/rfc4475/NAME.dat and
// judged the way the RFC says an element must judge it. Each test quotes the sentence of the RFC that decides
// it; where the RFC leaves the choice to the element, the comment says which choice callgate makes and why.
//
// The message layer's verdict on a message is one of:
//   - parse fails (parseMessage): the transport drops it, or answers 400 when it can;
//   - validation fails (validateMessage): error().code is the status to answer (400, 416, 505), 0 = drop;
//   - accepted: the message goes up, and a transaction, UA or proxy layer decides what to answer.
// Every message that parses is also written back (toString) and parsed again: equal in meaning, and writing
// is a fixpoint.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/message/header_values.hpp"
#include "sip/message/message.hpp"
#include "sip/message/params.hpp"
#include "sip/message/parser.hpp"
#include "sip/message/uri.hpp"
#include "sip/message/validate.hpp"
#include "sip/message/writer.hpp"
#include "test_data.hpp"

namespace callgate::sip {
namespace {

using ::testing::HasSubstr;

std::string load(std::string_view name) {
  return testing::readTestFile("sip/rfc4475/" + std::string(name) + ".dat");
}

std::string describe(const core::Error& e) {
  return e.message + " (code " + std::to_string(e.code) + ")";
}

// The values of every header field with this id, split at top-level commas, in wire order.
std::vector<std::string_view> listValues(const Message& m, HeaderId id) {
  std::vector<std::string_view> out;
  for (const HeaderField& field : m.headers()) {
    if (field.id != id) continue;
    ListSplitter values(field.value);
    while (auto value = values.next()) out.push_back(*value);
  }
  return out;
}

std::vector<Via> vias(const Message& m) {
  std::vector<Via> out;
  for (std::string_view value : listValues(m, HeaderId::kVia)) {
    auto via = parseVia(value);
    EXPECT_TRUE(via.ok()) << "Via '" << value << "': " << (via ? "" : via.error().message);
    if (via) out.push_back(*via);
  }
  return out;
}

NameAddr nameAddr(const Message& m, HeaderId id) {
  auto address = parseNameAddr(m.headerValue(id));
  EXPECT_TRUE(address.ok()) << canonicalHeaderName(id) << " '" << m.headerValue(id)
                            << "': " << (address ? "" : address.error().message);
  return address ? *address : NameAddr{};
}

// uri-parameters with names and values unescaped once (RFC 3261 §19.1.4: an escape is the character).
std::map<std::string, std::string> unescapedParams(std::string_view params) {
  std::map<std::string, std::string> out;
  ParamIterator it(params);
  while (auto p = it.next()) out[unescape(p->name)] = unescape(p->value);
  return out;
}

// A message that RFC 4475 says must be answered 400: either it does not parse (nothing can be answered
// from it, the transport answers 400 if it can frame one) or validation answers 400.
void expectBadRequest(std::string_view name) {
  const std::string raw = load(name);
  auto m = parseMessage(raw, Framing::kDatagram);
  if (!m) return;  // refused at the parse boundary
  auto verdict = validateMessage(*m);
  ASSERT_FALSE(verdict.ok()) << name << " was accepted";
  EXPECT_EQ(verdict.error().code, 400) << name << ": " << describe(verdict.error());
  EXPECT_FALSE(verdict.error().message.empty());
}

// A response RFC 4475 says must be dropped: it does not parse, or it fails validation with code 0 (a
// response is never answered).
void expectDroppedResponse(std::string_view name) {
  const std::string raw = load(name);
  auto m = parseMessage(raw, Framing::kDatagram);
  if (!m) return;
  auto verdict = validateMessage(*m);
  ASSERT_FALSE(verdict.ok()) << name << " was accepted";
  EXPECT_EQ(verdict.error().code, 0) << name
                                     << ": responses are never answered: " << describe(verdict.error());
}

// Parses NAME.dat into `var` (a Message viewing var##Raw), or fails the test.
#define PARSE_OK(var, name)                                                                       \
  const std::string var##Raw = load(name);                                                        \
  const core::Result<Message> var##Parsed = parseMessage(var##Raw, Framing::kDatagram);           \
  ASSERT_TRUE(var##Parsed.ok()) << (var##Parsed ? std::string() : describe(var##Parsed.error())); \
  const Message& var = *var##Parsed

#define EXPECT_VALID(m)                                                         \
  do {                                                                          \
    auto verdict_ = validateMessage(m);                                         \
    EXPECT_TRUE(verdict_.ok()) << (verdict_ ? "" : describe(verdict_.error())); \
  } while (0)

// ---------------------------------------------------------------------------------------------------------
// §3.1.1 Valid messages
// ---------------------------------------------------------------------------------------------------------

// §3.1.1.1 A Short Tortuous INVITE: "All elements should treat this as a well-formed request." The unknown
// header with an unusual value "must [be parsed] as a header value. Proxies would forward this header field
// unchanged."
TEST(Rfc4475, Wsinv) {
  PARSE_OK(m, "wsinv");
  EXPECT_VALID(m);
  EXPECT_EQ(m.methodId(), Method::kInvite);
  EXPECT_EQ(m.requestUri(), "sip:vivekg@chair-dnrc.example.com;unknownparam");
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri.ok());
  EXPECT_EQ(ruri->user, "vivekg");
  EXPECT_EQ(ruri->host, "chair-dnrc.example.com");
  EXPECT_EQ(ruri->param("unknownparam"), std::optional<std::string_view>(""));

  // "TO :" folded onto the next line, LWS around ';' and '='.
  NameAddr to = nameAddr(m, HeaderId::kTo);
  EXPECT_TRUE(to.displayName.empty());
  EXPECT_EQ(to.uri.user, "vivekg");
  EXPECT_EQ(to.uri.host, "chair-dnrc.example.com");
  EXPECT_EQ(to.tag(), std::optional<std::string_view>("1918181833n"));

  // from: "J Rosenberg \\\"" with the ';' and the tag folded onto two more lines.
  NameAddr from = nameAddr(m, HeaderId::kFrom);
  EXPECT_EQ(from.displayName, R"("J Rosenberg \\\"")");
  EXPECT_EQ(unquote(from.displayName), R"(J Rosenberg \")");
  EXPECT_EQ(from.uri.user, "jdrosen");
  EXPECT_EQ(from.tag(), std::optional<std::string_view>("98asjd8"));

  // Integer fields with leading zeros.
  EXPECT_EQ(parseUnsignedHeader(m.headerValue(HeaderId::kMaxForwards), 255, "Max-Forwards").value(), 68u);
  auto cseq = parseCSeq(m.headerValue(HeaderId::kCSeq));
  ASSERT_TRUE(cseq.ok()) << cseq.error().message;
  EXPECT_EQ(cseq->sequence, 9u);
  EXPECT_EQ(cseq->method, "INVITE");
  EXPECT_EQ(m.headerValue(HeaderId::kCallId), "wsinv.ndaksdj@192.0.2.1");

  // Three Via values in two fields, one folded inside "SIP / 2.0 / UDP", one comma-separated.
  EXPECT_EQ(m.headerCount(HeaderId::kVia), 2u);
  std::vector<Via> v = vias(m);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].protocolName, "SIP");
  EXPECT_EQ(v[0].protocolVersion, "2.0");
  EXPECT_EQ(v[0].transport, "UDP");
  EXPECT_EQ(v[0].host, "192.0.2.2");
  EXPECT_EQ(v[0].branch, "390skdjuw");
  EXPECT_FALSE(v[0].hasRfc3261Branch());
  EXPECT_EQ(v[1].transport, "TCP");
  EXPECT_EQ(v[1].host, "spindle.example.com");
  EXPECT_EQ(v[1].branch, "z9hG4bK9ikj8");
  EXPECT_EQ(v[2].transport, "UDP");
  EXPECT_EQ(v[2].host, "192.168.255.111");
  EXPECT_EQ(v[2].branch, "z9hG4bK30239");

  // "an empty subject": present, empty.
  const HeaderField* subject = m.header(HeaderId::kSubject);
  ASSERT_NE(subject, nullptr);
  EXPECT_EQ(subject->name, "s");
  EXPECT_EQ(subject->value, "");

  // Unknown header fields are kept, folded value and all.
  const HeaderField* newFangled = m.header("NewFangledHeader");
  ASSERT_NE(newFangled, nullptr);
  EXPECT_EQ(newFangled->id, HeaderId::kOther);
  EXPECT_TRUE(lwsEqual(newFangled->value, "newfangled value continued newfangled value"))
      << newFangled->value;
  const HeaderField* unusual = m.header("UnknownHeaderWithUnusualValue");
  ASSERT_NE(unusual, nullptr);
  EXPECT_EQ(unusual->id, HeaderId::kOther);
  EXPECT_EQ(unusual->value, ";;,,;;,;");

  auto route = parseNameAddr(m.headerValue(HeaderId::kRoute));
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->uri.host, "services.example.com");
  EXPECT_EQ(route->uri.param("lr"), std::optional<std::string_view>(""));
  EXPECT_EQ(route->uri.param("unknownwith"), std::optional<std::string_view>("value"));
  EXPECT_EQ(route->uri.param("unknown-no-value"), std::optional<std::string_view>(""));

  // m:"Quoted string \"\"" <sip:jdrosen@example.com> ; newparam = newvalue ; secondparam ; q = 0.33
  auto contact = parseContact(m.headerValue(HeaderId::kContact));
  ASSERT_TRUE(contact.ok()) << contact.error().message;
  EXPECT_EQ(m.header(HeaderId::kContact)->name, "m");
  EXPECT_EQ(unquote(contact->address.displayName), R"(Quoted string "")");
  EXPECT_EQ(contact->address.uri.user, "jdrosen");
  EXPECT_EQ(contact->address.param("newparam"), std::optional<std::string_view>("newvalue"));
  EXPECT_EQ(contact->address.param("secondparam"), std::optional<std::string_view>(""));
  EXPECT_EQ(contact->address.param("q"), std::optional<std::string_view>("0.33"));

  EXPECT_EQ(m.headerValue(HeaderId::kContentType), "application/sdp");
  EXPECT_EQ(m.body().size(), 150u);
  EXPECT_TRUE(m.body().starts_with("v=0\r\n"));
}

// §3.1.1.2 Wide Range of Valid Characters: "A method of IN%56ITE is an unknown method. It is not the same as
// a method of INVITE." The request is well formed: endpoints answer 501, which is the UA's business.
TEST(Rfc4475, Intmeth) {
  PARSE_OK(m, "intmeth");
  EXPECT_VALID(m);
  const std::string_view method = "!interesting-Method0123456789_*+`.%indeed'~";
  EXPECT_EQ(m.method(), method);
  EXPECT_EQ(m.methodId(), Method::kOther);
  auto cseq = parseCSeq(m.headerValue(HeaderId::kCSeq));
  ASSERT_TRUE(cseq.ok()) << cseq.error().message;
  EXPECT_EQ(cseq->sequence, 139122385u);
  EXPECT_EQ(cseq->method, method);

  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri.ok()) << ruri.error().message;
  EXPECT_EQ(ruri->scheme, UriScheme::kSip);
  EXPECT_EQ(ruri->user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_TRUE(ruri->hasPassword);
  EXPECT_EQ(ruri->password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  EXPECT_EQ(ruri->host, "example.com");
  EXPECT_TRUE(ruri->params.empty());

  // "The To header field value's quoted string contains quoted-pair expansions, including a quoted NULL
  // character."
  NameAddr to = nameAddr(m, HeaderId::kTo);
  EXPECT_EQ(unquote(to.displayName), std::string("BEL:\x07 NUL:\0 DEL:\x7f", 17));
  EXPECT_EQ(to.uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_FALSE(to.uri.hasPassword);

  // "The name part of name-addr in the From header field value contains multiple tokens (instead of a
  // quoted string)" ... an unknown parameter with a UTF-8 value and a tag of token characters.
  NameAddr from = nameAddr(m, HeaderId::kFrom);
  EXPECT_EQ(from.displayName, "token1~` token2'+_ token3*%!.-");
  EXPECT_EQ(from.uri.user, "mundane");
  EXPECT_EQ(from.tag(), std::optional<std::string_view>("_token~1'+`*%!-."));
  auto odd = from.param("fromParam''~+*_!.-%");
  ASSERT_TRUE(odd.has_value());
  EXPECT_EQ(unquote(*odd),
            "\xD1\x80\xD0\xB0\xD0\xB1\xD0\xBE\xD1\x82\xD0\xB0\xD1\x8E\xD1\x89\xD0\xB8\xD0\xB9");

  // "% is not an escape character" and '"' does not start a quoted string in a Call-ID.
  EXPECT_EQ(m.headerValue(HeaderId::kCallId), R"(intmeth.word%ZK-!.*_+'@word`~)(><:\/"][?}{)");
  EXPECT_EQ(m.headerValue(HeaderId::kMaxForwards), "255");

  std::vector<Via> v = vias(m);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].transport, "TCP");
  EXPECT_EQ(v[0].branch, "z9hG4bK-.!%66*_+`'~");

  const HeaderField* extension = m.header("extensionHeader-!.%*+_`'~");
  ASSERT_NE(extension, nullptr);
  EXPECT_EQ(extension->id, HeaderId::kOther);
  EXPECT_EQ(extension->value, "\xEF\xBB\xBF\xE5\xA4\xA7\xE5\x81\x9C\xE9\x9B\xBB");
  EXPECT_TRUE(m.body().empty());
}

// §3.1.1.3 Valid Use of the % Escaping Mechanism: "A parser must accept this as a well-formed message. The
// application using the message must treat the % HEX HEX expansions as equivalent to the character being
// encoded." And: "the "name" uri-parameter has a value of "value%41", which is NOT equivalent to "valueA"."
TEST(Rfc4475, Esc01) {
  PARSE_OK(m, "esc01");
  EXPECT_VALID(m);
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri.ok());
  EXPECT_EQ(ruri->user, "sips%3Auser%40example.com");  // kept as written
  EXPECT_EQ(unescape(ruri->user), "sips:user@example.com");
  EXPECT_EQ(ruri->host, "example.net");

  NameAddr to = nameAddr(m, HeaderId::kTo);
  EXPECT_EQ(unescape(to.uri.user), "user");
  auto plainTo = parseUri("sip:user@example.com");
  ASSERT_TRUE(plainTo.ok());
  EXPECT_TRUE(uriEquivalent(to.uri, *plainTo));

  NameAddr from = nameAddr(m, HeaderId::kFrom);
  EXPECT_EQ(unescape(from.uri.user), "I have spaces");
  EXPECT_EQ(from.tag(), std::optional<std::string_view>("938"));

  // Contact folded onto its next line, escapes in the uri-parameters.
  EXPECT_EQ(m.header(HeaderId::kContentType)->name, "C");
  auto contact = parseContact(m.headerValue(HeaderId::kContact));
  ASSERT_TRUE(contact.ok()) << contact.error().message;
  const Uri& c = contact->address.uri;
  EXPECT_EQ(unescape(c.user), "caller");
  EXPECT_EQ(c.host, "host5.example.net");
  const std::map<std::string, std::string> params = unescapedParams(c.params);
  EXPECT_EQ(params, (std::map<std::string, std::string>{{"lr", ""}, {"name", "value%41"}}));
  // Unescaping is never recursive: equivalent to value%2541, not to valueA.
  auto same = parseUri("sip:caller@host5.example.net;lr;name=value%2541");
  auto notSame = parseUri("sip:caller@host5.example.net;lr;name=valueA");
  ASSERT_TRUE(same.ok());
  ASSERT_TRUE(notSame.ok());
  auto other = parseUri("sip:caller@host5.example.net;lr;name=other");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(uriEquivalent(c, *same));
  EXPECT_FALSE(uriEquivalent(c, *notSame));
  EXPECT_FALSE(uriEquivalent(c, *other)) << "n%61me is the parameter 'name' (RFC 3261 §19.1.4)";
  EXPECT_EQ(m.body().size(), 150u);
}

// §3.1.1.4 Escaped Nulls in URIs: "The message is well formed - parsers must accept this message.
// Implementations must take special care when unescaping the Address-of-Record (AOR) in this request so as
// to not prematurely shorten the username. This request registers two distinct contact URIs."
TEST(Rfc4475, Escnull) {
  PARSE_OK(m, "escnull");
  EXPECT_VALID(m);
  EXPECT_EQ(m.methodId(), Method::kRegister);
  NameAddr to = nameAddr(m, HeaderId::kTo);
  EXPECT_EQ(to.uri.user, "null-%00-null");
  EXPECT_EQ(unescape(to.uri.user), std::string("null-\0-null", 11));
  NameAddr from = nameAddr(m, HeaderId::kFrom);
  EXPECT_EQ(unescape(from.uri.user), std::string("null-\0-null", 11));

  std::vector<std::string_view> contacts = listValues(m, HeaderId::kContact);
  ASSERT_EQ(contacts.size(), 2u);
  auto c1 = parseContact(contacts[0]);
  auto c2 = parseContact(contacts[1]);
  ASSERT_TRUE(c1.ok());
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(unescape(c1->address.uri.user), std::string("\0", 1));
  EXPECT_EQ(unescape(c2->address.uri.user), std::string("\0\0", 2));
  EXPECT_FALSE(uriEquivalent(c1->address.uri, c2->address.uri));
  EXPECT_EQ(m.header(HeaderId::kContentLength)->name, "L");
  EXPECT_EQ(m.headerValue(HeaderId::kContentLength), "0");
}

// §3.1.1.5 Use of % When It Is Not an Escape: "The request method is unknown. It is NOT equivalent to
// REGISTER." "This message has two Contact header field values, not three." "A parser should accept this
// message as well formed."
TEST(Rfc4475, Esc02) {
  PARSE_OK(m, "esc02");
  EXPECT_VALID(m);
  EXPECT_EQ(m.method(), "RE%47IST%45R");
  EXPECT_EQ(m.methodId(), Method::kOther);
  EXPECT_NE(m.methodId(), Method::kRegister);
  auto cseq = parseCSeq(m.headerValue(HeaderId::kCSeq));
  ASSERT_TRUE(cseq.ok());
  EXPECT_EQ(cseq->method, "RE%47IST%45R");
  EXPECT_EQ(cseq->sequence, 29344u);

  // The display name is "%Z%45": not %ZE, not unescaped.
  NameAddr to = nameAddr(m, HeaderId::kTo);
  NameAddr from = nameAddr(m, HeaderId::kFrom);
  EXPECT_EQ(unquote(to.displayName), "%Z%45");
  EXPECT_EQ(unquote(from.displayName), "%Z%45");
  EXPECT_EQ(from.tag(), std::optional<std::string_view>("f232jadfj23"));

  EXPECT_EQ(vias(m).at(0).branch, "z9hG4bK209%fzsnel234");
  EXPECT_EQ(m.headerCount(HeaderId::kContact), 2u);
  std::vector<std::string_view> contacts = listValues(m, HeaderId::kContact);
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0], "<sip:alias1@host1.example.com>");
  EXPECT_EQ(contacts[1], "<sip:alias3@host3.example.com>");
  const HeaderField* fake = m.header("C%6Fntact");
  ASSERT_NE(fake, nullptr);
  EXPECT_EQ(fake->id, HeaderId::kOther);
  EXPECT_EQ(fake->value, "<sip:alias2@host2.example.com>");
}

// §3.1.1.6 Message with No LWS between Display Name and <: "Elements should accept this request as well
// formed."
TEST(Rfc4475, Lwsdisp) {
  PARSE_OK(m, "lwsdisp");
  EXPECT_VALID(m);
  NameAddr from = nameAddr(m, HeaderId::kFrom);
  EXPECT_EQ(from.displayName, "caller");
  EXPECT_TRUE(from.angleBrackets);
  EXPECT_EQ(from.uri.user, "caller");
  EXPECT_EQ(from.uri.host, "example.com");
  EXPECT_EQ(from.tag(), std::optional<std::string_view>("323"));
}

// §3.1.1.7 Long Values in Header Fields: "This well-formed request contains header fields with many values
// and values that are very long."
TEST(Rfc4475, Longreq) {
  PARSE_OK(m, "longreq");
  EXPECT_VALID(m);
  std::string extreme;
  for (int i = 0; i < 10; ++i) extreme += "extreme";
  NameAddr to = nameAddr(m, HeaderId::kTo);
  EXPECT_EQ(unquote(to.displayName), "I have a user name of " + extreme + " proportion");
  EXPECT_EQ(to.uri.port, 6000);
  std::string longs;
  for (int i = 0; i < 20; ++i) longs += "long";
  const std::string longValue = "very" + longs + "value";
  EXPECT_EQ(to.uri.param("unknownparam1"), std::optional<std::string_view>(longValue));
  std::string longName = "longparam";
  for (int i = 0; i < 25; ++i) longName += "name";
  EXPECT_EQ(to.uri.param(longName), std::optional<std::string_view>("shortvalue"));

  NameAddr from = nameAddr(m, HeaderId::kFrom);
  EXPECT_EQ(m.header(HeaderId::kFrom)->name, "F");
  std::string tag = "1";
  for (int i = 0; i < 50; ++i) tag += "298";
  tag += "2424";
  EXPECT_EQ(from.tag(), std::optional<std::string_view>(tag));
  EXPECT_EQ(from.uri.user.size(), 5 * std::string_view("amazinglylongcallername").size());

  std::string really;
  for (int i = 0; i < 20; ++i) really += "really";
  EXPECT_EQ(m.headerValue(HeaderId::kCallId), "longreq.one" + really + "longcallid");

  std::string unknownName = "Unknown-";
  for (int i = 0; i < 20; ++i) unknownName += "Long";
  unknownName += "-Name";
  const HeaderField* unknown = m.header(unknownName);
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->id, HeaderId::kOther);
  EXPECT_THAT(std::string(unknown->value), HasSubstr("-parameter-name = unknown-"));

  // 34 Via header fields under every spelling of the name ("Via", "v", "V", "ViA", "V :", "v  :" ...).
  EXPECT_EQ(m.headerCount(HeaderId::kVia), 34u);
  std::vector<Via> v = vias(m);
  ASSERT_EQ(v.size(), 34u);
  for (size_t i = 0; i < 33; ++i) {
    EXPECT_EQ(v[i].host, "sip" + std::to_string(33 - i) + ".example.com") << i;
    EXPECT_EQ(v[i].transport, "TCP");
  }
  EXPECT_EQ(v[33].host, "host.example.com");
  EXPECT_EQ(v[33].received, "192.0.2.5");
  EXPECT_EQ(v[33].branch.size(), 4 + 50 * 4 + 11u);

  auto contact = parseContact(m.headerValue(HeaderId::kContact));
  ASSERT_TRUE(contact.ok());
  EXPECT_EQ(contact->address.uri.host, "host5.example.net");
  EXPECT_EQ(m.body().size(), 150u);
}

// §3.1.1.8 Extra Trailing Octets in a UDP Datagram: the octets after the body "are just spurious noise that
// must be ignored. A SIP element receiving this datagram would handle the REGISTER request normally and
// ignore the extra bits that look like an INVITE request."
TEST(Rfc4475, Dblreq) {
  PARSE_OK(m, "dblreq");
  EXPECT_VALID(m);
  EXPECT_EQ(m.methodId(), Method::kRegister);
  EXPECT_EQ(m.requestUri(), "sip:example.com");
  EXPECT_TRUE(m.body().empty());
  EXPECT_EQ(m.headerValue(HeaderId::kCallId), "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
  EXPECT_EQ(m.header(HeaderId::kCallId)->name, "I");
  EXPECT_EQ(m.headerCount(HeaderId::kCSeq), 1u);
  EXPECT_EQ(m.headerCount(HeaderId::kTo), 1u);
  EXPECT_EQ(m.header(HeaderId::kContentType), nullptr);
  EXPECT_EQ(parseCSeq(m.headerValue(HeaderId::kCSeq))->method, "REGISTER");
  // "If the element is a proxy choosing to forward the REGISTER, the INVITE octets would not appear in the
  // forwarded request."
  const std::string written = toString(m);
  EXPECT_EQ(written.find("INVITE"), std::string::npos) << written;
}

// §3.1.1.9 Semicolon-Separated Parameters in URI User Part: "Receiving elements will accept this as a
// well-formed message. The Request-URI will parse so that the user part is "user;par=u@example.net"."
TEST(Rfc4475, Semiuri) {
  PARSE_OK(m, "semiuri");
  EXPECT_VALID(m);
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri.ok()) << ruri.error().message;
  EXPECT_EQ(ruri->user, "user;par=u%40example.net");
  EXPECT_EQ(unescape(ruri->user), "user;par=u@example.net");
  EXPECT_EQ(ruri->host, "example.com");
  EXPECT_TRUE(ruri->params.empty());
  EXPECT_FALSE(ruri->param("par").has_value());
  // The Accept header is folded over three lines: six values.
  std::vector<std::string_view> accept = listValues(m, HeaderId::kAccept);
  EXPECT_EQ(accept,
            (std::vector<std::string_view>{"application/sdp", "application/pkcs7-mime", "multipart/mixed",
                                           "multipart/signed", "message/sip", "message/sipfrag"}));
}

// §3.1.1.10 Varied and Unknown Transport Types: "Parsers must accept this message as well formed."
TEST(Rfc4475, Transports) {
  PARSE_OK(m, "transports");
  EXPECT_VALID(m);
  std::vector<Via> v = vias(m);
  ASSERT_EQ(v.size(), 5u);
  const char* transports[] = {"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(v[i].transport, transports[i]);
    EXPECT_EQ(v[i].host, "t" + std::to_string(i + 1) + ".example.com");
    EXPECT_TRUE(v[i].hasRfc3261Branch());
  }
  EXPECT_EQ(m.headerValue(HeaderId::kCallId), "transports.kijh4akdnaqjkwendsasfdj");
}

// §3.1.1.11 Multipart MIME Message: "The second part is binary encoded and contains null (0x00) characters.
// Receivers must take care to frame the received message properly. Parsers must accept this message as well
// formed".
TEST(Rfc4475, Mpart01) {
  PARSE_OK(m, "mpart01");
  EXPECT_VALID(m);
  EXPECT_EQ(m.methodId(), Method::kMessage);
  EXPECT_EQ(m.headerValue(HeaderId::kContentLength), "553");
  ASSERT_EQ(m.body().size(), 553u);
  EXPECT_EQ(m.body().size(), m.raw().size() - m.raw().find("\r\n\r\n") - 4);
  EXPECT_TRUE(m.body().starts_with("--7a9cbec02ceef655\r\nContent-Type: text/plain\r\n"));
  EXPECT_TRUE(m.body().ends_with("\r\n--7a9cbec02ceef655--\r\n"));
  EXPECT_NE(m.body().find(std::string_view("\x00", 1)), std::string_view::npos);
  EXPECT_EQ(m.headerValue(HeaderId::kContentType), "multipart/mixed;boundary=7a9cbec02ceef655");
  const HeaderField* identity = m.header(HeaderId::kIdentity);
  ASSERT_NE(identity, nullptr);
  EXPECT_TRUE(identity->value.starts_with("r5mwreLuyDRYBi/0TiPwEsY3rEVsk/"));
  std::vector<Via> v = vias(m);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].host, "127.0.0.1");
  EXPECT_EQ(v[0].hostType, HostType::kIPv4);
  EXPECT_EQ(v[0].port, 5070);
  EXPECT_EQ(v[0].rport, std::optional<std::string_view>(""));
  EXPECT_EQ(v[0].branch, "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-");
}

// §3.1.1.12 Unusual Reason Phrase: "This response is well formed. A parser must accept this message."
TEST(Rfc4475, Unreason) {
  PARSE_OK(m, "unreason");
  EXPECT_VALID(m);
  EXPECT_TRUE(m.isResponse());
  EXPECT_EQ(m.statusCode(), 200);
  EXPECT_EQ(
      m.reason(),
      "= 2**3 * 5**2 \xD0\xBD\xD0\xBE \xD1\x81\xD1\x82\xD0\xBE "
      "\xD0\xB4\xD0\xB5\xD0\xB2\xD1\x8F\xD0\xBD\xD0\xBE"
      "\xD1\x81\xD1\x82\xD0\xBE \xD0\xB4\xD0\xB5\xD0\xB2\xD1\x8F\xD1\x82\xD1\x8C - \xD0\xBF\xD1\x80\xD0\xBE"
      "\xD1\x81\xD1\x82\xD0\xBE\xD0\xB5");
  EXPECT_EQ(m.body().size(), 154u);
}

// §3.1.1.13 Empty Reason Phrase: "This well-formed response contains no reason phrase. A parser must accept
// this message."
TEST(Rfc4475, Noreason) {
  PARSE_OK(m, "noreason");
  EXPECT_VALID(m);
  EXPECT_TRUE(m.isResponse());
  EXPECT_EQ(m.statusCode(), 100);
  EXPECT_EQ(m.reason(), "");
  // "The space character after the reason code is required": written back with it.
  EXPECT_TRUE(toString(m).starts_with("SIP/2.0 100 \r\n"));
}

// ---------------------------------------------------------------------------------------------------------
// §3.1.2 Invalid messages
// ---------------------------------------------------------------------------------------------------------

// §3.1.2.1 Extraneous Header Field Separators: "This message is syntactically invalid. An element receiving
// this request should respond with a 400 Bad Request error."
TEST(Rfc4475, Badinv01) {
  expectBadRequest("badinv01");
  // The Via value itself ("192.0.2.15;;,;,,") is malformed: empty parameters.
  EXPECT_FALSE(parseVia("SIP/2.0/UDP 192.0.2.15;;").ok());
}

// §3.1.2.2 Content Length Larger Than Message: "When sent over UDP (as this message ostensibly was), the
// receiving element should respond with a 400 Bad Request error."
TEST(Rfc4475, Clerr) {
  expectBadRequest("clerr");
  const std::string raw = load("clerr");
  EXPECT_FALSE(parseMessage(raw, Framing::kDatagram).ok())
      << "a Content-Length beyond the datagram is an error";
}

// §3.1.2.3 Negative Content-Length: "An element receiving this message should respond with an error."
// "Implementors should take extra precautions if the technique they choose for converting this ascii field
// into an integral form can return a negative value."
TEST(Rfc4475, Ncl) {
  expectBadRequest("ncl");
  EXPECT_FALSE(parseUnsignedHeader("-999", 0xffffffffU, "Content-Length").ok());
  EXPECT_FALSE(parseUnsignedHeader("five", 0xffffffffU, "Content-Length").ok());
}

// §3.1.2.4 Request Scalar Fields with Overlarge Values: "An element receiving this request should respond
// with a 400 Bad Request due to the CSeq error."
TEST(Rfc4475, Scalar02) {
  expectBadRequest("scalar02");
  EXPECT_FALSE(parseCSeq("36893488147419103232 REGISTER").ok());
  EXPECT_FALSE(parseUnsignedHeader("300", 255, "Max-Forwards").ok());
}

// §3.1.2.5 Response Scalar Fields with Overlarge Values: "An element receiving this response will simply
// discard it."
TEST(Rfc4475, Scalarlg) {
  expectDroppedResponse("scalarlg");
  EXPECT_FALSE(parseCSeq("9292394834772304023312 OPTIONS").ok());
}

// §3.1.2.6 Unterminated Quoted String in Display Name: "An element receiving this request should return a
// 400 Bad Request error." (An element "could attempt to infer a terminating quote"; callgate does not: the
// inference is ambiguous in general.)
TEST(Rfc4475, Quotbal) {
  expectBadRequest("quotbal");
  EXPECT_FALSE(parseNameAddr(R"("Mr. J. User <sip:j.user@example.com>)").ok());
}

// §3.1.2.7 <> Enclosing Request-URI: "It is reasonable always to reject a request with this error with a 400
// Bad Request." callgate rejects: a gateway must not forward a bracketed Request-URI.
TEST(Rfc4475, Ltgtruri) {
  expectBadRequest("ltgtruri");
  EXPECT_FALSE(parseUri("<sip:user@example.com>").ok());
}

// §3.1.2.8 Malformed SIP Request-URI (embedded LWS): "An element receiving this request should respond with
// a 400 Bad Request."
TEST(Rfc4475, Lwsruri) {
  expectBadRequest("lwsruri");
}

// §3.1.2.9 Multiple SP Separating Request-Line Elements: "It is acceptable to reject this request as
// malformed." callgate rejects it (400): RFC 3261 §7.1 says exactly one SP, and a gateway is strict on the
// start line it would otherwise have to rewrite.
TEST(Rfc4475, Lwsstart) {
  expectBadRequest("lwsstart");
}

// §3.1.2.10 SP Characters at End of Request-Line: "It is acceptable to reject this request as malformed. An
// element that is liberal in what it accepts may ignore these extra SP characters when processing the
// request. If the element forwards the request, it must not include these extra SP characters in the
// messages it sends." callgate is liberal here (trailing SP cannot be misread) and never writes them back.
TEST(Rfc4475, Trws) {
  PARSE_OK(m, "trws");
  EXPECT_VALID(m);
  EXPECT_EQ(m.version(), "SIP/2.0");
  EXPECT_EQ(m.requestUri(), "sip:remote-target@example.com");
  EXPECT_TRUE(toString(m).starts_with("OPTIONS sip:remote-target@example.com SIP/2.0\r\n")) << toString(m);
}

// §3.1.2.11 Escaped Headers in SIP Request-URI: "It is acceptable for an element to reject this request with
// a 400 Bad Request." callgate rejects: RFC 3261 §19.1.5 does not allow headers in a Request-URI, and a
// gateway must never turn them into header fields.
TEST(Rfc4475, Escruri) {
  expectBadRequest("escruri");
}

// §3.1.2.12 Invalid Time Zone in Date Header Field: "It is acceptable to reject this request as malformed
// (though an element shouldn't do that unless the contents of the Date header field were actually important
// to its processing)." callgate does not use Date, so the request is accepted and Date kept as received.
TEST(Rfc4475, Baddate) {
  PARSE_OK(m, "baddate");
  EXPECT_VALID(m);
  EXPECT_EQ(m.headerValue(HeaderId::kDate), "Fri, 01 Jan 2010 16:00:00 EST");
  EXPECT_EQ(m.body().size(), 150u);
}

// §3.1.2.13 Failure to Enclose name-addr URI in <>: "It is reasonable for an element receiving this request
// to respond with a 400 Bad Request. An element choosing to be liberal in what it accepts could infer the
// angle brackets since there is no ambiguity in this example." callgate is liberal: the '?' can only start
// URI headers here, so the Contact is read as the URI with its escaped Route header.
TEST(Rfc4475, Regbadct) {
  PARSE_OK(m, "regbadct");
  EXPECT_VALID(m);
  auto contact = parseContact(m.headerValue(HeaderId::kContact));
  ASSERT_TRUE(contact.ok()) << contact.error().message;
  EXPECT_FALSE(contact->address.angleBrackets);
  EXPECT_EQ(contact->address.uri.user, "user");
  EXPECT_EQ(contact->address.uri.host, "example.com");
  EXPECT_EQ(contact->address.uri.headers, "?Route=%3Csip:sip.example.com%3E");
}

// §3.1.2.14 Spaces within addr-spec: "It is reasonable to reject this request with a 400 Bad Request
// response. Elements attempting to be liberal may ignore the spaces." callgate rejects: RFC 3261 LAQUOT and
// RAQUOT allow no space inside the brackets, and a To it cannot write back verbatim is not forwarded.
TEST(Rfc4475, Badaspec) {
  expectBadRequest("badaspec");
  EXPECT_FALSE(parseNameAddr(R"("Watson, Thomas" < sip:t.watson@example.org >)").ok());
}

// §3.1.2.15 Non-token Characters in Display Name: "It is reasonable always to reject this kind of error with
// a 400 Bad Request response." (The archived message also lacks the empty line after its headers.)
TEST(Rfc4475, Baddn) {
  expectBadRequest("baddn");
  EXPECT_FALSE(parseNameAddr("Bell, Alexander <sip:a.g.bell@example.com>;tag=43").ok());
}

// §3.1.2.16 Unknown Protocol Version: "The element should respond to the request with a 505 Version Not
// Supported error." To answer 505 the request must parse.
TEST(Rfc4475, Badvers) {
  PARSE_OK(m, "badvers");
  EXPECT_EQ(m.version(), "SIP/7.0");
  auto verdict = validateMessage(m);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, 505) << describe(verdict.error());
}

// §3.1.2.17 Start Line and CSeq Method Mismatch: "Any element receiving this request will respond with a 400
// Bad Request."
TEST(Rfc4475, Mismatch01) {
  PARSE_OK(m, "mismatch01");
  auto verdict = validateMessage(m);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, 400);
  EXPECT_THAT(verdict.error().message, HasSubstr("CSeq"));
}

// §3.1.2.18 Unknown Method with CSeq Method Mismatch: "Any element receiving this response should respond
// with a 501 Not Implemented. A 400 Bad Request is also acceptable". The message layer answers 400 (the
// mismatch is a malformed request whatever the method); 501 for methods callgate does not implement is the
// UA's answer to well-formed requests.
TEST(Rfc4475, Mismatch02) {
  PARSE_OK(m, "mismatch02");
  EXPECT_EQ(m.methodId(), Method::kOther);
  auto verdict = validateMessage(m);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, 400);
  EXPECT_THAT(verdict.error().message, HasSubstr("CSeq"));
}

// §3.1.2.19 Overlarge Response Code: "An element receiving this response should simply drop it."
TEST(Rfc4475, Bigcode) {
  expectDroppedResponse("bigcode");
}

// ---------------------------------------------------------------------------------------------------------
// §3.2 Transaction-layer semantics
// ---------------------------------------------------------------------------------------------------------

// §3.2.1 Missing Transaction Identifier: "A parser must not break when receiving this message. An element
// receiving this request could reject the request with a 400 Response ... or it could fall back to the RFC
// 2543-style transaction identifier." The message layer accepts it; the transaction layer decides.
TEST(Rfc4475, Badbranch) {
  PARSE_OK(m, "badbranch");
  EXPECT_VALID(m);
  std::vector<Via> v = vias(m);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].branch, "z9hG4bK");
}

// ---------------------------------------------------------------------------------------------------------
// §3.3 Application-layer semantics
// ---------------------------------------------------------------------------------------------------------

// §3.3.1 Missing Required Header Fields: "This request has no Call-ID, From, or To header fields. An element
// receiving this message must not break because of the missing information. Ideally, it will respond with a
// 400 Bad Request error."
TEST(Rfc4475, Insuf) {
  PARSE_OK(m, "insuf");
  auto verdict = validateMessage(m);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, 400);
  EXPECT_THAT(verdict.error().message, HasSubstr("Missing"));
}

// §3.3.2 Request-URI with Unknown Scheme: "A parser must accept this as a well-formed SIP request. An element
// receiving this request will reject it with a 416 Unsupported URI Scheme response."
TEST(Rfc4475, Unkscm) {
  PARSE_OK(m, "unkscm");
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri.ok());
  EXPECT_EQ(ruri->scheme, UriScheme::kOther);
  EXPECT_EQ(ruri->schemeText, "nobodyKnowsThisScheme");
  EXPECT_EQ(ruri->opaque, "totallyopaquecontent");
  auto verdict = validateMessage(m);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, 416) << describe(verdict.error());
  // "Despite its scheme, the To header field contains a well-formed SIP URI."
  EXPECT_EQ(nameAddr(m, HeaderId::kTo).uri.scheme, UriScheme::kSip);
}

// §3.3.3 Request-URI with Known but Atypical Scheme: "A parser must accept this as a well-formed SIP request.
// If an element will never accept this scheme as meaningful in a Request-URI, it is appropriate to treat it
// as unknown and return a 416 Unsupported URI Scheme response." A WebRTC-to-SIP gateway never routes
// soap.beep: 416.
TEST(Rfc4475, Novelsc) {
  PARSE_OK(m, "novelsc");
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri.ok());
  EXPECT_EQ(ruri->schemeText, "soap.beep");
  auto verdict = validateMessage(m);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, 416) << describe(verdict.error());
}

// §3.3.4 Unknown URI Schemes in Header Fields: "The message is syntactically valid. Parsers must not fail
// when receiving this message." (A registrar rejects it for its non-SIP AOR: the registrar's check, not the
// message layer's.)
TEST(Rfc4475, Unksm2) {
  PARSE_OK(m, "unksm2");
  EXPECT_VALID(m);
  NameAddr to = nameAddr(m, HeaderId::kTo);
  NameAddr from = nameAddr(m, HeaderId::kFrom);
  EXPECT_EQ(to.uri.scheme, UriScheme::kOther);
  EXPECT_EQ(to.uri.schemeText, "isbn");
  EXPECT_EQ(from.uri.schemeText, "http");
  EXPECT_EQ(from.tag(), std::optional<std::string_view>("3234233"));
  auto contact = parseContact(m.headerValue(HeaderId::kContact));
  ASSERT_TRUE(contact.ok());
  EXPECT_EQ(contact->address.uri.schemeText, "name");
}

// §3.3.5 Proxy-Require and Require: "Any element receiving this request will respond with a 420 Bad
// Extension response". That answer belongs to the UA/proxy, which must see the option tags: the message
// layer accepts the request and keeps them.
TEST(Rfc4475, Bext01) {
  PARSE_OK(m, "bext01");
  EXPECT_VALID(m);
  EXPECT_EQ(listValues(m, HeaderId::kRequire),
            (std::vector<std::string_view>{"nothingSupportsThis", "nothingSupportsThisEither"}));
  EXPECT_EQ(listValues(m, HeaderId::kProxyRequire),
            (std::vector<std::string_view>{"noProxiesSupportThis", "norDoAnyProxiesSupportThis"}));
  EXPECT_EQ(vias(m).at(0).transport, "TLS");
}

// §3.3.6 Unknown Content-Type: the request is syntactically valid; the 415 is the endpoint's answer.
TEST(Rfc4475, Invut) {
  PARSE_OK(m, "invut");
  EXPECT_VALID(m);
  EXPECT_EQ(m.headerValue(HeaderId::kContentType), "application/unknownformat");
  EXPECT_EQ(m.body(), "<audio>\r\n <pcmu port=\"443\"/>\r\n</audio>\r\n");
}

// §3.3.7 Unknown Authorization Scheme: "The request is well formed. A parser must not fail when receiving
// it." A proxy "will include this Authorization header field unmodified in the forwarded messages".
TEST(Rfc4475, Regaut01) {
  PARSE_OK(m, "regaut01");
  EXPECT_VALID(m);
  EXPECT_EQ(m.headerValue(HeaderId::kAuthorization), "NoOneKnowsThisScheme opaque-data=here");
  EXPECT_THAT(toString(m), HasSubstr("\r\nAuthorization: NoOneKnowsThisScheme opaque-data=here\r\n"));
  EXPECT_EQ(m.headerValue(HeaderId::kContentLength), "0");
}

// §3.3.8 Multiple Values in Single Value Required Fields: multiple CSeq, Call-ID, To, From and Max-Forwards;
// "An element receiving this request would respond with a 400 Bad Request error."
TEST(Rfc4475, Multi01) {
  PARSE_OK(m, "multi01");
  EXPECT_EQ(m.headerCount(HeaderId::kCallId), 2u);
  EXPECT_EQ(m.headerCount(HeaderId::kTo), 2u);
  EXPECT_EQ(m.headerCount(HeaderId::kFrom), 2u);
  auto verdict = validateMessage(m);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, 400);
  EXPECT_THAT(verdict.error().message, HasSubstr("Multiple"));
}

// §3.3.9 Multiple Content-Length Values: "From a framing perspective, this situation is equivalent to an
// invalid Content-Length value (or no value at all). An element receiving this message should respond with
// an error."
TEST(Rfc4475, Mcl01) {
  expectBadRequest("mcl01");
}

// §3.3.10 200 OK Response with Broadcast Via Header Field Value: the response is well formed and parsers
// must not fail; not sending anything to 255.255.255.255 is the proxy's rule, so the second Via must be
// visible to it.
TEST(Rfc4475, Bcast) {
  PARSE_OK(m, "bcast");
  EXPECT_VALID(m);
  std::vector<Via> v = vias(m);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].host, "255.255.255.255");
  EXPECT_EQ(v[1].hostType, HostType::kIPv4);
  EXPECT_EQ(m.statusCode(), 200);
}

// §3.3.11 Max-Forwards of Zero: "This is a legal SIP request with the Max-Forwards header field value set to
// zero." The proxy answers 483; an endpoint processes it: the message layer accepts it and shows the 0.
TEST(Rfc4475, Zeromf) {
  PARSE_OK(m, "zeromf");
  EXPECT_VALID(m);
  EXPECT_EQ(m.headerValue(HeaderId::kMaxForwards), "0");
  EXPECT_EQ(parseUnsignedHeader(m.headerValue(HeaderId::kMaxForwards), 255, "Max-Forwards").value(), 0u);
}

// §3.3.12 REGISTER with a Contact Header Parameter: "the 'unknownparam' parameter must be interpreted as a
// contact-param and not a url-param."
TEST(Rfc4475, Cparam01) {
  PARSE_OK(m, "cparam01");
  EXPECT_VALID(m);
  auto contact = parseContact(m.headerValue(HeaderId::kContact));
  ASSERT_TRUE(contact.ok());
  EXPECT_FALSE(contact->address.angleBrackets);
  EXPECT_EQ(contact->address.uri.user, "+19725552222");
  EXPECT_EQ(contact->address.uri.host, "gw1.example.net");
  EXPECT_FALSE(contact->address.uri.param("unknownparam").has_value());
  EXPECT_EQ(contact->address.param("unknownparam"), std::optional<std::string_view>(""));
}

// §3.3.13 REGISTER with a url-parameter: "the URI has an unknown parameter" (inside <>): a url-parameter.
TEST(Rfc4475, Cparam02) {
  PARSE_OK(m, "cparam02");
  EXPECT_VALID(m);
  auto contact = parseContact(m.headerValue(HeaderId::kContact));
  ASSERT_TRUE(contact.ok());
  EXPECT_TRUE(contact->address.angleBrackets);
  EXPECT_EQ(contact->address.uri.param("unknownparam"), std::optional<std::string_view>(""));
  EXPECT_FALSE(contact->address.param("unknownparam").has_value());
}

// §3.3.14 REGISTER with a URL Escaped Header: "The register should succeed, and a subsequent retrieval of the
// registration must include the escaped Route header in the contact URI for this binding."
TEST(Rfc4475, Regescrt) {
  PARSE_OK(m, "regescrt");
  EXPECT_VALID(m);
  EXPECT_EQ(m.header(HeaderId::kContact)->name, "M");
  auto contact = parseContact(m.headerValue(HeaderId::kContact));
  ASSERT_TRUE(contact.ok());
  EXPECT_EQ(contact->address.uri.headers, "?Route=%3Csip:sip.example.com%3E");
  EXPECT_EQ(unescape(contact->address.uri.headers), "?Route=<sip:sip.example.com>");
}

// §3.3.15 Unacceptable Accept Offering: "the response must contain a body in an unknown type": the UA's
// 406; the message layer accepts the request.
TEST(Rfc4475, Sdp01) {
  PARSE_OK(m, "sdp01");
  EXPECT_VALID(m);
  EXPECT_EQ(m.headerValue(HeaderId::kAccept), "text/nobodyKnowsThis");
  EXPECT_EQ(m.body().size(), 150u);
}

// ---------------------------------------------------------------------------------------------------------
// §3.4 Backward compatibility
// ---------------------------------------------------------------------------------------------------------

// §3.4.1 INVITE with RFC 2543 Syntax: "This is a legal message per RFC 2543 (and several bis versions) that
// should be accepted by RFC 3261 elements that want to maintain backwards compatibility." callgate accepts
// it: no branch, no From tag, no Max-Forwards, and "There is no explicit Content-Length. (The body is assumed
// to be all octets in the datagram after the null-line.)"
TEST(Rfc4475, Inv2543) {
  PARSE_OK(m, "inv2543");
  EXPECT_VALID(m);
  EXPECT_EQ(m.header(HeaderId::kContentLength), nullptr);
  EXPECT_EQ(m.header(HeaderId::kMaxForwards), nullptr);
  EXPECT_EQ(m.body(),
            "v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
            "m=audio 49217 RTP/AVP 0\r\n");
  std::vector<Via> v = vias(m);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0].branch.empty());
  EXPECT_FALSE(v[0].hasRfc3261Branch());
  EXPECT_FALSE(nameAddr(m, HeaderId::kFrom).tag().has_value());
}

// ---------------------------------------------------------------------------------------------------------
// Every message the parser takes: write it, parse it again, same meaning; writing is a fixpoint.
// ---------------------------------------------------------------------------------------------------------

class Rfc4475RoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(Rfc4475RoundTrip, WriteParseIsIdentityAndWriteIsFixpoint) {
  const std::string raw = load(GetParam());
  auto m = parseMessage(raw, Framing::kDatagram);
  ASSERT_TRUE(m.ok()) << describe(m.error());
  const std::string once = toString(*m);
  auto again = parseMessage(once, Framing::kDatagram);
  ASSERT_TRUE(again.ok()) << describe(again.error()) << "\n" << once;
  EXPECT_TRUE(*again == *m) << once;
  // The written form is also a valid stream message: exactly one Content-Length that matches the body.
  auto streamed = parseMessage(once, Framing::kStream);
  EXPECT_TRUE(streamed.ok()) << (streamed ? "" : describe(streamed.error()));
  EXPECT_EQ(again->body(), m->body());
  EXPECT_EQ(toString(*again), once);
}

// The messages RFC 4475 wants parsed (the §3.1.1 set, the tolerated §3.1.2 ones, and every §3.2-3.4 message
// whose fault is semantic, not syntactic).
INSTANTIATE_TEST_SUITE_P(
    Parsed, Rfc4475RoundTrip,
    ::testing::Values("wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq",
                      "semiuri", "transports", "mpart01", "unreason", "noreason", "trws", "baddate",
                      "regbadct", "badvers", "mismatch01", "mismatch02", "badbranch", "insuf", "unkscm",
                      "novelsc", "unksm2", "bext01", "invut", "regaut01", "multi01", "bcast", "zeromf",
                      "cparam01", "cparam02", "regescrt", "sdp01", "inv2543"),
    [](const ::testing::TestParamInfo<const char*>& param) { return std::string(param.param); });

// No message of the suite, however broken, may crash the parser or the validator, on either framing.
TEST(Rfc4475, EveryMessageIsHandledOnBothFramings) {
  const char* all[] = {
      "wsinv",    "intmeth",    "esc01",      "escnull",  "esc02",     "lwsdisp",  "longreq",
      "dblreq",   "semiuri",    "transports", "mpart01",  "unreason",  "noreason", "badinv01",
      "clerr",    "ncl",        "scalar02",   "scalarlg", "quotbal",   "ltgtruri", "lwsruri",
      "lwsstart", "trws",       "escruri",    "baddate",  "regbadct",  "badaspec", "baddn",
      "badvers",  "mismatch01", "mismatch02", "bigcode",  "badbranch", "insuf",    "unkscm",
      "novelsc",  "unksm2",     "bext01",     "invut",    "regaut01",  "multi01",  "mcl01",
      "bcast",    "zeromf",     "cparam01",   "cparam02", "regescrt",  "sdp01",    "inv2543"};
  size_t parsed = 0;
  for (const char* name : all) {
    const std::string raw = load(name);
    for (Framing framing : {Framing::kDatagram, Framing::kStream}) {
      auto m = parseMessage(raw, framing);
      if (!m) continue;
      if (framing == Framing::kDatagram) ++parsed;
      (void)validateMessage(*m);
      (void)toString(*m);
    }
  }
  EXPECT_GE(parsed, 35u);
  // dblreq on a stream: the REGISTER's Content-Length: 0 does not reach the end of the bytes given, so as one
  // framed message it is refused (the StreamFramer would have cut it at the REGISTER's end).
  const std::string dbl = load("dblreq");
  EXPECT_FALSE(parseMessage(dbl, Framing::kStream).ok());
}

}  // namespace
}  // namespace callgate::sip
