#include "sip/transport/error_response.hpp"

#include <array>
#include <cstdint>

#include "sip/message/header_values.hpp"

namespace callgate::sip {
namespace {

// The length of the valid UTF-8 sequence at s[i] (RFC 3629 §4), 0 when invalid.
size_t utf8Length(std::string_view s, size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  unsigned char min2 = 0x80;
  unsigned char max2 = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    n = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    n = 3;
    if (lead == 0xe0) min2 = 0xa0;  // no overlong forms
    if (lead == 0xed) max2 = 0x9f;  // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 4;
    if (lead == 0xf0) min2 = 0x90;
    if (lead == 0xf4) max2 = 0x8f;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    const unsigned char lo = k == 1 ? min2 : 0x80;
    const unsigned char hi = k == 1 ? max2 : 0xbf;
    if (c < lo || c > hi) return 0;
  }
  return n;
}

// FNV-1a, 64 bits: enough to make a tag that differs between requests (RFC 3261 §19.3 asks for global
// uniqueness; a stateless answer gets it from the request's own Call-ID, From tag and branch).
uint64_t fnv1a(uint64_t hash, std::string_view text) {
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string hex(uint64_t value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (size_t i = 0; i < 16; ++i) out[15 - i] = kHex[(value >> (4 * i)) & 0xf];
  return out;
}

}  // namespace

std::string sanitizeReasonPhrase(std::string_view text, size_t maxBytes) {
  std::string out;
  out.reserve(text.size() < maxBytes ? text.size() : maxBytes);
  auto appendSpace = [&out] {
    if (!out.empty() && out.back() != ' ') out += ' ';
  };
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t n = 1;
    if (c < 0x20 || c == 0x7f || c == ' ') {
      if (out.size() + 1 > maxBytes) break;
      appendSpace();
    } else if (c < 0x80) {
      if (out.size() + 1 > maxBytes) break;
      out += static_cast<char>(c);
    } else if (const size_t len = utf8Length(text, i); len > 0) {
      if (out.size() + len > maxBytes) break;
      out.append(text.substr(i, len));
      n = len;
    } else {
      if (out.size() + 1 > maxBytes) break;
      out += '?';
    }
    i += n;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string_view defaultReasonPhrase(int statusCode) {
  // RFC 3261 §21, with RFC 3262 (PRACK), RFC 3265/6665 (events), RFC 3329, RFC 4028 (Session Timer) and
  // RFC 5393 additions.
  struct Entry {
    int code;
    std::string_view phrase;
  };
  static constexpr std::array<Entry, 66> kPhrases{{
      {100, "Trying"},
      {180, "Ringing"},
      {181, "Call Is Being Forwarded"},
      {182, "Queued"},
      {183, "Session Progress"},
      {199, "Early Dialog Terminated"},
      {200, "OK"},
      {202, "Accepted"},
      {204, "No Notification"},
      {300, "Multiple Choices"},
      {301, "Moved Permanently"},
      {302, "Moved Temporarily"},
      {305, "Use Proxy"},
      {380, "Alternative Service"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {402, "Payment Required"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {407, "Proxy Authentication Required"},
      {408, "Request Timeout"},
      {410, "Gone"},
      {412, "Conditional Request Failed"},
      {413, "Request Entity Too Large"},
      {414, "Request-URI Too Long"},
      {415, "Unsupported Media Type"},
      {416, "Unsupported URI Scheme"},
      {417, "Unknown Resource-Priority"},
      {420, "Bad Extension"},
      {421, "Extension Required"},
      {422, "Session Interval Too Small"},
      {423, "Interval Too Brief"},
      {428, "Use Identity Header"},
      {429, "Provide Referrer Identity"},
      {433, "Anonymity Disallowed"},
      {437, "Unsupported Certificate"},
      {438, "Invalid Identity Header"},
      {439, "First Hop Lacks Outbound Support"},
      {470, "Consent Needed"},
      {480, "Temporarily Unavailable"},
      {481, "Call/Transaction Does Not Exist"},
      {482, "Loop Detected"},
      {483, "Too Many Hops"},
      {484, "Address Incomplete"},
      {485, "Ambiguous"},
      {486, "Busy Here"},
      {487, "Request Terminated"},
      {488, "Not Acceptable Here"},
      {489, "Bad Event"},
      {491, "Request Pending"},
      {493, "Undecipherable"},
      {494, "Security Agreement Required"},
      {500, "Server Internal Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Server Time-out"},
      {505, "Version Not Supported"},
      {513, "Message Too Large"},
      {580, "Precondition Failure"},
      {600, "Busy Everywhere"},
      {603, "Decline"},
      {604, "Does Not Exist Anywhere"},
      {606, "Not Acceptable"},
  }};
  for (const Entry& entry : kPhrases) {
    if (entry.code == statusCode) return entry.phrase;
  }
  return "";
}

Message makeResponse(const Message& request, int statusCode, std::string_view reason, std::string_view toTag,
                     bool copyRecordRoute) {
  std::string phrase = sanitizeReasonPhrase(reason);
  if (phrase.empty()) phrase = std::string(defaultReasonPhrase(statusCode));
  if (phrase.empty()) phrase = statusCode < 300 ? "OK" : "Error";
  Message response = Message::response(statusCode, phrase);
  // RFC 3261 §8.2.6.2: "the From field of the response MUST equal the From header field of the request
  // ... Call-ID ... CSeq ... Via header field values in the response MUST equal the Via header field values
  // in the request and MUST maintain the same ordering"; the To gets a tag when it has none.
  bool firstTo = true;
  for (const HeaderField& field : request.headers()) {
    switch (field.id) {
      case HeaderId::kVia:
      case HeaderId::kFrom:
      case HeaderId::kCallId:
      case HeaderId::kCSeq:
        response.addHeader(field.id, field.value);
        break;
      case HeaderId::kRecordRoute:
        // RFC 3261 §12.1.1: copied into responses that create a dialog.
        if (copyRecordRoute) response.addHeader(field.id, field.value);
        break;
      case HeaderId::kTo: {
        auto to = parseNameAddr(field.value);
        if (firstTo && to && !to->tag() && !toTag.empty()) {
          response.addHeader(HeaderId::kTo, std::string(field.value) + ";tag=" + std::string(toTag));
        } else {
          response.addHeader(HeaderId::kTo, field.value);
        }
        firstTo = false;
        break;
      }
      default:
        break;
    }
  }
  return response;
}

Message makeErrorResponse(const Message& request, int statusCode, std::string_view reason) {
  uint64_t tagHash = 0xcbf29ce484222325ULL;
  tagHash = fnv1a(tagHash, request.headerValue(HeaderId::kCallId));
  tagHash = fnv1a(tagHash, request.headerValue(HeaderId::kFrom));
  tagHash = fnv1a(tagHash, request.headerValue(HeaderId::kCSeq));
  tagHash = fnv1a(tagHash, request.headerValue(HeaderId::kVia));
  return makeResponse(request, statusCode, reason, hex(tagHash));
}

}  // namespace callgate::sip
