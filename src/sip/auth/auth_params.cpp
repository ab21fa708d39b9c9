#include "sip/auth/auth_params.hpp"

#include <string>

#include "core/text.hpp"

namespace callgate::sip::auth {
namespace {

using core::makeError;

std::string describeChar(char c) {
  return "'" + core::printable(std::string_view(&c, 1)) + "'";
}

// Reads one header value left to right. Every method either advances or reports; none reads past the end.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool atEnd() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }
  size_t offset() const { return pos_; }
  void advance() { ++pos_; }

  // Length of the line fold starting here (CRLF or a bare LF, then at least one WSP), or 0 when there is
  // none. RFC 3261 §7.3.1: a fold is whitespace; a line break without following WSP ends the header, so
  // inside one header value it is malformed.
  size_t foldLength() const {
    size_t n = 0;
    if (pos_ < s_.size() && s_[pos_] == '\r') ++n;
    if (pos_ + n >= s_.size() || s_[pos_ + n] != '\n') return 0;
    ++n;
    if (pos_ + n >= s_.size() || !core::isWsp(s_[pos_ + n])) return 0;
    return n;
  }

  // SWS: any run of SP, HTAB and line folds. Reports a line break that is not a fold.
  core::Result<size_t> skipSws() {
    const size_t start = pos_;
    while (!atEnd()) {
      const char c = peek();
      if (core::isWsp(c)) {
        advance();
      } else if (c == '\r' || c == '\n') {
        const size_t fold = foldLength();
        if (fold == 0) {
          return makeError("line break at offset " + std::to_string(pos_) +
                           " is not a fold (CRLF then SP/HTAB)");
        }
        pos_ += fold;
      } else {
        break;
      }
    }
    return pos_ - start;
  }

  std::string_view takeToken() {
    const size_t start = pos_;
    while (!atEnd() && isTokenChar(peek())) advance();
    return s_.substr(start, pos_ - start);
  }

  // After the opening DQUOTE: the unquoted content up to and including the closing DQUOTE.
  core::Result<std::string> takeQuotedRest(std::string_view paramName) {
    std::string out;
    while (!atEnd()) {
      const char c = peek();
      if (c == '"') {
        advance();
        return out;
      }
      if (c == '\\') {
        advance();
        // RFC 3261 §25.1 quoted-pair: any octet up to 0x7F except CR and LF. Escaped control characters
        // (NUL, ESC, DEL, ...) are refused too: no realm, nonce or username needs one, and once unescaped
        // they could not be written back into a header, nor safely logged.
        if (atEnd()) break;
        const char escaped = peek();
        const auto e = static_cast<unsigned char>(escaped);
        if ((e < 0x20 && escaped != '\t') || e >= 0x7f) {
          return makeError("invalid quoted-pair \\" + core::printable(std::string_view(&escaped, 1)) +
                           " in parameter '" + std::string(paramName) + "'");
        }
        out += escaped;
        advance();
        continue;
      }
      if (c == '\r' || c == '\n') {
        const size_t fold = foldLength();
        if (fold == 0) {
          return makeError("line break inside the quoted value of parameter '" + std::string(paramName) +
                           "' is not a fold");
        }
        // RFC 3261 §7.3.1: a fold is equivalent to a single SP.
        pos_ += fold;
        while (!atEnd() && core::isWsp(peek())) advance();
        out += ' ';
        continue;
      }
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) {
        return makeError("control character " + describeChar(c) + " in the quoted value of parameter '" +
                         std::string(paramName) + "'");
      }
      out += c;  // qdtext, including UTF8-NONASCII octets
      advance();
    }
    return makeError("unterminated quoted-string in parameter '" + std::string(paramName) + "'");
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

bool isTokenChar(char c) {
  if (core::isAlnum(c)) return true;
  switch (c) {
    case '-':
    case '.':
    case '!':
    case '%':
    case '*':
    case '_':
    case '+':
    case '`':
    case '\'':
    case '~':
      return true;
    default:
      return false;
  }
}

std::string_view leadingScheme(std::string_view headerValue) {
  const std::string_view s = core::trimLws(headerValue);
  size_t n = 0;
  while (n < s.size() && isTokenChar(s[n])) ++n;
  return s.substr(0, n);
}

bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!isTokenChar(c)) return false;
  }
  return true;
}

void appendQuoted(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

const AuthParam* AuthParams::find(std::string_view name) const {
  for (const auto& p : params_) {
    if (core::iequals(p.name, name)) return &p;
  }
  return nullptr;
}

core::Result<AuthParams> AuthParams::parse(std::string_view headerValue) {
  if (headerValue.size() > kMaxAuthHeaderSize) {
    return makeError("authentication header value of " + std::to_string(headerValue.size()) +
                     " bytes is over the limit of " + std::to_string(kMaxAuthHeaderSize));
  }
  Cursor cur(headerValue);
  if (auto sws = cur.skipSws(); !sws) return sws.error();

  AuthParams out;
  const std::string_view scheme = cur.takeToken();
  if (scheme.empty()) {
    if (cur.atEnd()) return makeError("empty authentication header value");
    return makeError("expected an authentication scheme, found " + describeChar(cur.peek()));
  }
  out.scheme_ = std::string(scheme);

  auto sws = cur.skipSws();
  if (!sws) return sws.error();
  if (cur.atEnd()) return out;  // a scheme alone; the scheme's own rules decide whether that is enough
  if (*sws == 0) {
    return makeError("expected whitespace after scheme '" + core::printable(scheme) + "', found " +
                     describeChar(cur.peek()));
  }

  while (true) {
    if (sws = cur.skipSws(); !sws) return sws.error();
    if (cur.atEnd()) break;
    if (cur.peek() == ',') {  // an empty list element (RFC 7230 §7 tolerates them); skip it
      cur.advance();
      continue;
    }
    const std::string_view name = cur.takeToken();
    if (name.empty()) {
      return makeError("expected a parameter name at offset " + std::to_string(cur.offset()) + ", found " +
                       describeChar(cur.peek()));
    }
    if (name.size() > kMaxAuthParamNameSize) {
      return makeError("parameter name '" + core::printable(name, 16) + "' is longer than " +
                       std::to_string(kMaxAuthParamNameSize) + " characters");
    }
    const std::string nameText(name);
    if (sws = cur.skipSws(); !sws) return sws.error();
    if (cur.atEnd() || cur.peek() != '=') {
      return makeError("parameter '" + nameText + "' has no '=' and value");
    }
    cur.advance();
    if (sws = cur.skipSws(); !sws) return sws.error();
    if (cur.atEnd()) return makeError("parameter '" + nameText + "' has an empty value");

    AuthParam param;
    param.name = nameText;
    if (cur.peek() == '"') {
      cur.advance();
      auto quoted = cur.takeQuotedRest(nameText);
      if (!quoted) return quoted.error();
      param.value = std::move(*quoted);
      param.quoted = true;
    } else {
      const std::string_view token = cur.takeToken();
      if (token.empty()) {
        return makeError("parameter '" + nameText + "' has an invalid value starting with " +
                         describeChar(cur.peek()) + " (neither token nor quoted-string)");
      }
      param.value = std::string(token);
    }
    // RFC 3261 §7.3.1 / RFC 7616 §3.3: each directive appears at most once; two different values for
    // one name leave no safe way to pick.
    if (out.find(nameText) != nullptr) return makeError("duplicate parameter '" + nameText + "'");
    if (out.params_.size() >= kMaxAuthParams) {
      return makeError("more than " + std::to_string(kMaxAuthParams) + " parameters");
    }
    out.params_.push_back(std::move(param));

    if (sws = cur.skipSws(); !sws) return sws.error();
    if (cur.atEnd()) break;
    if (cur.peek() != ',') {
      return makeError("expected ',' after parameter '" + nameText + "', found " + describeChar(cur.peek()));
    }
    cur.advance();
  }
  return out;
}

}  // namespace callgate::sip::auth
