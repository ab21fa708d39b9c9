#include "sip/ua/dialog.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/uri.hpp"

namespace callgate::sip {
namespace {

using core::makeError;

// The URI of the first Contact (RFC 3261 §12.1.1, §12.1.2: the remote target).
core::Result<std::string> contactUri(const Message& message) {
  const HeaderField* contact = message.header(HeaderId::kContact);
  if (contact == nullptr) return makeError("Missing Contact header: no remote target for the dialog", 400);
  ListSplitter values(contact->value);
  const auto first = values.next();
  if (!first) return makeError("Empty Contact header: no remote target for the dialog", 400);
  auto parsed = parseContact(*first);
  if (!parsed) return makeError("Bad Contact header: " + parsed.error().message, 400);
  if (parsed->star) return makeError("Contact '*' cannot be a dialog's remote target", 400);
  return std::string(parsed->address.uri.text);
}

// Every Record-Route value in order, each checked to be a name-addr (RFC 3261 §20.30).
core::Result<std::vector<std::string>> recordRoutes(const Message& message) {
  std::vector<std::string> routes;
  for (const HeaderField& field : message.headers()) {
    if (field.id != HeaderId::kRecordRoute) continue;
    ListSplitter values(field.value);
    while (auto value = values.next()) {
      auto route = parseNameAddr(*value);
      if (!route) return makeError("Bad Record-Route header: " + route.error().message, 400);
      routes.emplace_back(*value);
    }
  }
  return routes;
}

core::Result<std::string> tagOf(const Message& message, HeaderId id) {
  auto address = parseNameAddr(message.headerValue(id));
  if (!address) {
    return makeError("Bad " + std::string(canonicalHeaderName(id)) + " header: " + address.error().message,
                     400);
  }
  return std::string(address->tag().value_or(""));
}

core::Result<uint32_t> sequenceOf(const Message& message) {
  auto cseq = parseCSeq(message.headerValue(HeaderId::kCSeq));
  if (!cseq) return makeError("Bad CSeq header: " + cseq.error().message, 400);
  return cseq->sequence;
}

bool isSips(std::string_view uriText) {
  auto uri = parseUri(uriText);
  return uri && uri->scheme == UriScheme::kSips;
}

// The URI inside a route's name-addr.
std::string routeUri(std::string_view route) {
  auto address = parseNameAddr(route);
  return address ? std::string(address->uri.text) : std::string(route);
}

bool isLooseRoute(std::string_view route) {
  auto address = parseNameAddr(route);
  return address && address->uri.param("lr").has_value();
}

// RFC 3261 Table 3: the methods whose requests carry a Contact (and refresh the target).
bool carriesContact(std::string_view method) {
  return method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE" || method == "NOTIFY" ||
         method == "REFER";
}

}  // namespace

core::Result<Dialog> Dialog::asUac(const Message& request, const Message& response) {
  if (response.statusCode() <= 100 || response.statusCode() >= 300) {
    return makeError("only a 101-299 response creates a dialog (RFC 3261 §12.1.2)");
  }
  Dialog d;
  auto remoteTag = tagOf(response, HeaderId::kTo);
  if (!remoteTag) return remoteTag.error();
  if (remoteTag->empty()) return makeError("response has no To tag: no dialog (RFC 3261 §12.1.2)");
  auto localTag = tagOf(request, HeaderId::kFrom);
  if (!localTag) return localTag.error();
  if (localTag->empty()) return makeError("request has no From tag (RFC 3261 §8.1.1.3)");
  auto sequence = sequenceOf(request);
  if (!sequence) return sequence.error();
  auto routes = recordRoutes(response);
  if (!routes) return routes.error();

  d.id_ = DialogId{std::string(request.headerValue(HeaderId::kCallId)), std::move(*localTag),
                   std::move(*remoteTag)};
  d.routeSet_.assign(routes->rbegin(), routes->rend());
  if (auto target = contactUri(response)) {
    d.remoteTarget_ = std::move(*target);
  } else if (response.statusCode() < 200) {
    // Some devices send 18x without Contact; the 2xx brings the real target (§13.2.2.4 recomputes it).
    d.remoteTarget_ = std::string(request.requestUri());
  } else {
    return target.error();
  }
  d.localAddress_ = std::string(request.headerValue(HeaderId::kFrom));
  d.remoteAddress_ = std::string(response.headerValue(HeaderId::kTo));
  if (const HeaderField* contact = request.header(HeaderId::kContact))
    d.localContact_ = std::string(contact->value);
  d.localSequence_ = *sequence;
  d.secure_ = isSips(request.requestUri());
  d.state_ = response.statusCode() >= 200 ? State::kConfirmed : State::kEarly;
  return d;
}

core::Result<Dialog> Dialog::asUas(const Message& request, std::string_view localTag,
                                   std::string_view localContact, State state) {
  if (localTag.empty()) return makeError("a UAS dialog needs a local tag (RFC 3261 §12.1.1)");
  Dialog d;
  auto remoteTag = tagOf(request, HeaderId::kFrom);  // may be empty for RFC 2543 peers (§12.1.1)
  if (!remoteTag) return remoteTag.error();
  auto sequence = sequenceOf(request);
  if (!sequence) return sequence.error();
  auto routes = recordRoutes(request);
  if (!routes) return routes.error();
  auto target = contactUri(request);
  if (!target) return target.error();

  d.id_ = DialogId{std::string(request.headerValue(HeaderId::kCallId)), std::string(localTag),
                   std::move(*remoteTag)};
  d.routeSet_ = std::move(*routes);
  d.remoteTarget_ = std::move(*target);
  d.localAddress_ = std::string(request.headerValue(HeaderId::kTo));
  auto to = parseNameAddr(d.localAddress_);
  if (!to) return makeError("Bad To header: " + to.error().message, 400);
  if (!to->tag()) d.localAddress_ += ";tag=" + std::string(localTag);
  d.remoteAddress_ = std::string(request.headerValue(HeaderId::kFrom));
  d.localContact_ = std::string(localContact);
  d.remoteSequence_ = *sequence;
  d.secure_ = isSips(request.requestUri());
  d.state_ = state;
  return d;
}

core::Result<void> Dialog::confirm(const Message& response2xx) {
  auto tag = tagOf(response2xx, HeaderId::kTo);
  if (!tag) return tag.error();
  if (*tag != id_.remoteTag) return makeError("2xx To tag differs from the dialog's: another fork's dialog");
  auto routes = recordRoutes(response2xx);
  if (!routes) return routes.error();
  auto target = contactUri(response2xx);
  if (!target) return target.error();
  routeSet_.assign(routes->rbegin(), routes->rend());
  remoteTarget_ = std::move(*target);
  remoteAddress_ = std::string(response2xx.headerValue(HeaderId::kTo));
  state_ = State::kConfirmed;
  return {};
}

Message Dialog::buildRequest(std::string_view method, uint32_t sequence, std::string_view via) const {
  // RFC 3261 §12.2.1.1: loose routing keeps the remote target as Request-URI and the route set as Route;
  // a strict router in front takes the Request-URI, and the remote target goes last in Route.
  const bool strict = !routeSet_.empty() && !isLooseRoute(routeSet_.front());
  std::string requestUri = remoteTarget_;
  if (strict) {
    requestUri = routeUri(routeSet_.front());
    requestUri = requestUri.substr(0, requestUri.find('?'));  // headers are not allowed in a Request-URI
  }
  Message m = Message::request(method, requestUri);
  m.addHeader(HeaderId::kVia, via);
  m.addHeader(HeaderId::kMaxForwards, "70");
  for (size_t i = strict ? 1 : 0; i < routeSet_.size(); ++i) m.addHeader(HeaderId::kRoute, routeSet_[i]);
  if (strict) m.addHeader(HeaderId::kRoute, "<" + remoteTarget_ + ">");
  m.addHeader(HeaderId::kFrom, localAddress_);
  m.addHeader(HeaderId::kTo, remoteAddress_);
  m.addHeader(HeaderId::kCallId, id_.callId);
  m.addHeader(HeaderId::kCSeq, std::to_string(sequence) + " " + std::string(method));
  return m;
}

Message Dialog::makeRequest(std::string_view method, std::string_view via) {
  Message m = buildRequest(method, ++localSequence_, via);
  if (carriesContact(method) && !localContact_.empty()) m.addHeader(HeaderId::kContact, localContact_);
  return m;
}

Message Dialog::makeAck(uint32_t inviteSequence, std::string_view via) const {
  return buildRequest("ACK", inviteSequence, via);
}

std::string Dialog::nextHopUri() const {
  return routeSet_.empty() ? remoteTarget_ : routeUri(routeSet_.front());
}

core::Result<void> Dialog::acceptRequest(const Message& request) {
  auto sequence = sequenceOf(request);
  if (!sequence) return sequence.error();
  // ACK and CANCEL repeat the INVITE's number; only a lower number is out of order.
  if (remoteSequence_ != 0 && *sequence < remoteSequence_) {
    return makeError("CSeq " + std::to_string(*sequence) + " is lower than " +
                         std::to_string(remoteSequence_) + " already seen in this dialog (RFC 3261 §12.2.2)",
                     500);
  }
  remoteSequence_ = std::max(remoteSequence_, *sequence);
  return {};
}

core::Result<void> Dialog::refreshTarget(const Message& message) {
  auto target = contactUri(message);
  if (!target) return target.error();
  remoteTarget_ = std::move(*target);
  return {};
}

}  // namespace callgate::sip
