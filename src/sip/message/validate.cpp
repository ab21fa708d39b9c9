#include "sip/message/validate.hpp"

#include <array>

#include "core/text.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/uri.hpp"

namespace callgate::sip {
namespace {

using core::makeError;

constexpr int kBadRequest = 400;

core::Error bad(std::string message) {
  return makeError(std::move(message), kBadRequest);
}

// One pass over the headers: how many of each id, and where the first one is.
struct HeaderIndex {
  explicit HeaderIndex(const Message& m) {
    const auto& headers = m.headers();
    for (size_t i = 0; i < headers.size(); ++i) {
      const auto id = static_cast<size_t>(headers[i].id);
      if (count[id] == 0) first[id] = &headers[i];
      if (count[id] < 255) ++count[id];
    }
  }
  size_t countOf(HeaderId id) const { return count[static_cast<size_t>(id)]; }
  const HeaderField* firstOf(HeaderId id) const { return first[static_cast<size_t>(id)]; }
  std::string_view valueOf(HeaderId id) const {
    const HeaderField* f = firstOf(id);
    return f != nullptr ? f->value : std::string_view{};
  }

  std::array<uint8_t, static_cast<size_t>(HeaderId::kCount)> count{};
  std::array<const HeaderField*, static_cast<size_t>(HeaderId::kCount)> first{};
};

core::Result<void> checkSingle(const HeaderIndex& index, HeaderId id) {
  const size_t n = index.countOf(id);
  if (n == 1) return {};
  return bad((n == 0 ? "Missing " : "Multiple ") + std::string(canonicalHeaderName(id)) + " header" +
             (n == 0 ? "" : "s"));
}

core::Result<void> checkAddress(const HeaderIndex& index, HeaderId id) {
  auto address = parseNameAddr(index.valueOf(id));
  if (!address)
    return bad("Bad " + std::string(canonicalHeaderName(id)) + " header: " + address.error().message);
  return {};
}

// Common to requests and responses: RFC 3261 §8.1.1 mandatory headers, each well formed.
core::Result<CSeq> checkCommon(const Message& m, const HeaderIndex& index) {
  for (HeaderId id : {HeaderId::kFrom, HeaderId::kTo, HeaderId::kCallId, HeaderId::kCSeq}) {
    if (auto ok = checkSingle(index, id); !ok) return ok.error();
  }
  if (index.countOf(HeaderId::kVia) == 0) return bad("Missing Via header");
  if (auto ok = checkAddress(index, HeaderId::kFrom); !ok) return ok.error();
  if (auto ok = checkAddress(index, HeaderId::kTo); !ok) return ok.error();
  // Call-ID = word [ "@" word ]: no whitespace, not empty (RFC 3261 §25.1).
  const std::string_view callId = index.valueOf(HeaderId::kCallId);
  if (callId.empty()) return bad("Empty Call-ID header");
  for (char c : callId) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return bad("Call-ID contains whitespace or control characters");
  }
  auto cseq = parseCSeq(index.valueOf(HeaderId::kCSeq));
  if (!cseq) return bad("Bad CSeq header: " + cseq.error().message);

  if (index.countOf(HeaderId::kContentLength) > 1) return bad("Multiple Content-Length headers");
  if (const HeaderField* length = index.firstOf(HeaderId::kContentLength)) {
    auto value = parseUnsignedHeader(length->value, 0xffffffffU, "Content-Length");
    if (!value) return bad(value.error().message);
    if (*value != m.body().size()) return bad("Content-Length does not match the body size");
  }
  if (index.countOf(HeaderId::kMaxForwards) > 1) return bad("Multiple Max-Forwards headers");
  if (const HeaderField* maxForwards = index.firstOf(HeaderId::kMaxForwards)) {
    // RFC 3261 §20.22: Max-Forwards is an integer in the range 0-255.
    if (auto value = parseUnsignedHeader(maxForwards->value, 255, "Max-Forwards"); !value) {
      return bad(value.error().message);
    }
  }
  if (const HeaderField* expires = index.firstOf(HeaderId::kExpires)) {
    // RFC 3261 §20.19: delta-seconds, a 32-bit value.
    if (auto value = parseUnsignedHeader(expires->value, 0xffffffffU, "Expires"); !value) {
      return bad(value.error().message);
    }
  }
  // The top Via is where responses go and what transactions match on (RFC 3261 §17.2.3, §18.2.2); the Vias
  // below it are only copied back into responses, so they are not parsed here.
  ListSplitter topVias(index.valueOf(HeaderId::kVia));
  const auto topVia = topVias.next();
  if (!topVia) return bad("Empty Via header");
  if (auto via = parseVia(*topVia); !via) return bad("Bad Via header: " + via.error().message);
  return cseq;
}

core::Result<void> validateRequest(const Message& m) {
  // RFC 3261 §8.2.2 ... §21.5.6: a version we do not speak gets 505.
  if (!core::iequals(m.version(), "SIP/2.0")) {
    return makeError("Version Not Supported: " + std::string(m.version()), 505);
  }
  auto uri = parseUri(m.requestUri());
  if (!uri) return bad("Bad Request-URI: " + uri.error().message);
  if (uri->scheme == UriScheme::kOther) {
    // RFC 3261 §8.2.2.1: a Request-URI scheme the UAS does not understand is answered 416.
    return makeError("Unsupported URI Scheme: " + std::string(uri->schemeText), 416);
  }
  if (!uri->headers.empty()) {
    // RFC 3261 §19.1.5: headers are not allowed in a Request-URI.
    return bad("Request-URI must not contain headers (RFC 3261 §19.1.5)");
  }
  const HeaderIndex index(m);
  auto cseq = checkCommon(m, index);
  if (!cseq) return cseq.error();
  // RFC 3261 §8.1.1.5: "The method MUST match that of the request" (methods are case-sensitive).
  if (cseq->method != m.method()) {
    return bad("CSeq method " + std::string(cseq->method) + " does not match request method " +
               std::string(m.method()));
  }
  if (m.methodId() == Method::kRegister || m.methodId() == Method::kInvite) {
    // "*" is only for REGISTER with Expires: 0, alone (RFC 3261 §10.2.2).
    size_t contacts = 0;
    bool star = false;
    for (const HeaderField& field : m.headers()) {
      if (field.id != HeaderId::kContact) continue;
      ListSplitter values(field.value);
      while (auto value = values.next()) {
        ++contacts;
        star = star || *value == "*";
      }
    }
    if (star &&
        (m.methodId() != Method::kRegister || contacts != 1 || index.valueOf(HeaderId::kExpires) != "0")) {
      return bad("Contact '*' is only allowed alone in a REGISTER with Expires: 0 (RFC 3261 §10.2.2)");
    }
  }
  return {};
}

core::Result<void> validateResponse(const Message& m) {
  // Bad responses are dropped, never answered: code 0.
  if (!core::iequals(m.version(), "SIP/2.0"))
    return makeError("unsupported version " + std::string(m.version()));
  if (m.statusCode() < 100 || m.statusCode() > 699) {
    return makeError("status code " + std::to_string(m.statusCode()) + " is outside 100-699 (RFC 3261 §21)");
  }
  auto cseq = checkCommon(m, HeaderIndex(m));
  if (!cseq) return makeError(cseq.error().message);
  return {};
}

}  // namespace

core::Result<void> validateMessage(const Message& message) {
  return message.isRequest() ? validateRequest(message) : validateResponse(message);
}

}  // namespace callgate::sip
