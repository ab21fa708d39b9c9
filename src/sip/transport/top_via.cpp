#include "sip/transport/top_via.hpp"

#include <arpa/inet.h>

#include <array>
#include <string>
#include <vector>

#include "core/text.hpp"
#include "sip/message/params.hpp"

namespace callgate::sip {
namespace {

std::string_view withoutBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

// inet_pton needs a terminated string; addresses longer than any IPv6 text are not numeric.
constexpr size_t kMaxAddressText = 64;

bool toBinary(std::string_view text, int& family, std::array<unsigned char, 16>& out) {
  if (text.empty() || text.size() >= kMaxAddressText) return false;
  std::array<char, kMaxAddressText> buffer{};
  text.copy(buffer.data(), text.size());
  out.fill(0);
  if (inet_pton(AF_INET, buffer.data(), out.data()) == 1) {
    family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, buffer.data(), out.data()) == 1) {
    family = AF_INET6;
    return true;
  }
  return false;
}

struct Edit {
  size_t at = 0;      // offset in the element
  size_t length = 0;  // bytes replaced
  std::string text;
};

}  // namespace

TopVia findTopVia(const Message& message) {
  TopVia top;
  const auto& headers = message.headers();
  for (size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].id != HeaderId::kVia) continue;
    top.headerIndex = i;
    ListSplitter values(headers[i].value);
    if (auto first = values.next()) {
      top.element = *first;
      if (auto via = parseVia(*first)) top.via = *via;
    }
    return top;
  }
  return top;
}

bool isNumericAddress(std::string_view address) {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
  return toBinary(address, family, bytes);
}

bool sameAddress(std::string_view a, std::string_view b) {
  a = withoutBrackets(a);
  b = withoutBrackets(b);
  if (core::iequals(a, b)) return true;
  int familyA = 0;
  int familyB = 0;
  std::array<unsigned char, 16> bytesA{};
  std::array<unsigned char, 16> bytesB{};
  return toBinary(a, familyA, bytesA) && toBinary(b, familyB, bytesB) && familyA == familyB &&
         bytesA == bytesB;
}

bool stampTopVia(Message& request, const Endpoint& source) {
  const TopVia top = findTopVia(request);
  if (!top.via) return false;
  const Via& via = *top.via;
  const std::string_view element = top.element;
  const bool wantsRport = via.rport.has_value() && via.rport->empty();
  const bool addReceived = wantsRport || !sameAddress(via.host, source.address);
  if (!addReceived) return true;

  // Edits at offsets into `element`, in increasing order: fill rport's value, replace or append received.
  std::vector<Edit> edits;
  bool haveReceived = false;
  ParamIterator params(via.params);
  bool rportDone = false;
  while (auto param = params.next()) {
    const auto nameAt = static_cast<size_t>(param->name.data() - element.data());
    if (wantsRport && !rportDone && core::iequals(param->name, "rport")) {
      rportDone = true;
      if (!param->hasValue) {
        edits.push_back(Edit{nameAt + param->name.size(), 0, "=" + std::to_string(source.port)});
      }
    } else if (!haveReceived && core::iequals(param->name, "received")) {
      haveReceived = true;
      if (param->hasValue) {
        const auto valueAt = static_cast<size_t>(param->value.data() - element.data());
        edits.push_back(Edit{valueAt, param->value.size(), source.address});
      } else {
        edits.push_back(Edit{nameAt + param->name.size(), 0, "=" + source.address});
      }
    }
  }
  // RFC 5118 §4.5: an IPv6 received value is written without brackets.
  if (!haveReceived) edits.push_back(Edit{element.size(), 0, ";received=" + source.address});

  std::string stamped;
  stamped.reserve(element.size() + 64);
  size_t at = 0;
  for (const Edit& edit : edits) {
    if (edit.at < at || edit.at > element.size()) continue;  // cannot happen: params come in order
    stamped.append(element.substr(at, edit.at - at));
    stamped += edit.text;
    at = edit.at + edit.length;
  }
  stamped.append(element.substr(at));

  // Keep what surrounds the first element in the header line: the other Vias of a combined line.
  const std::string_view value = request.headers()[top.headerIndex].value;
  const auto elementAt = static_cast<size_t>(element.data() - value.data());
  std::string line;
  line.reserve(value.size() + stamped.size());
  line.append(value.substr(0, elementAt));
  line += stamped;
  line.append(value.substr(elementAt + element.size()));
  request.setHeaderValue(top.headerIndex, line);
  return true;
}

}  // namespace callgate::sip
