#include "sip/message/params.hpp"

#include "core/text.hpp"

namespace callgate::sip {
namespace {

bool isLws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

size_t quotedStringLength(std::string_view s) {
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;  // quoted-pair
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return 0;
}

std::optional<Param> ParamIterator::next() {
  while (!rest_.empty() && (rest_.front() == ';' || isLws(rest_.front()))) rest_.remove_prefix(1);
  if (rest_.empty()) return std::nullopt;

  // The parameter runs to the next ';' outside a quoted string.
  size_t end = 0;
  while (end < rest_.size() && rest_[end] != ';') {
    if (rest_[end] == '"') {
      const size_t n = quotedStringLength(rest_.substr(end));
      end += n == 0 ? rest_.size() - end : n;  // unterminated: the rest is this parameter's value
    } else {
      ++end;
    }
  }
  std::string_view item = rest_.substr(0, end);
  rest_.remove_prefix(end);

  Param param;
  const size_t eq = item.find('=');
  if (eq == std::string_view::npos || (item.find('"') != std::string_view::npos && item.find('"') < eq)) {
    param.name = core::trimLws(item);
  } else {
    param.name = core::trimLws(item.substr(0, eq));
    param.value = core::trimLws(item.substr(eq + 1));
    param.hasValue = true;
  }
  return param;
}

std::optional<std::string_view> findParam(std::string_view params, std::string_view name) {
  ParamIterator it(params);
  while (auto p = it.next()) {
    if (core::iequals(p->name, name)) return p->value;
  }
  return std::nullopt;
}

std::string unquote(std::string_view value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::string(value);
  std::string out;
  out.reserve(value.size() - 2);
  for (size_t i = 1; i + 1 < value.size(); ++i) {
    if (value[i] == '\\' && i + 2 < value.size()) ++i;
    out += value[i];
  }
  return out;
}

}  // namespace callgate::sip
