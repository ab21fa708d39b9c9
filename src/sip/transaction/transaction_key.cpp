#include "sip/transaction/transaction_key.hpp"

#include <string_view>

#include "core/text.hpp"
#include "sip/message/header_values.hpp"

namespace callgate::sip {
namespace {

// RFC 3261 §8.1.1.7: the branch of an RFC 3261 element starts with the magic cookie.
constexpr std::string_view kMagicCookie = "z9hG4bK";

std::optional<Via> topVia(const Message& message) {
  const auto text = topViaOf(message);
  if (!text) return std::nullopt;
  auto via = parseVia(*text);
  if (!via) return std::nullopt;
  return *via;
}

std::optional<CSeq> cseqOf(const Message& message) {
  auto cseq = parseCSeq(message.headerValue(HeaderId::kCSeq));
  if (!cseq) return std::nullopt;
  return *cseq;
}

bool hasCookie(std::string_view branch) {
  return branch.size() > kMagicCookie.size() && branch.substr(0, kMagicCookie.size()) == kMagicCookie;
}

std::string tagOf(std::string_view nameAddr) {
  auto parsed = parseNameAddr(nameAddr);
  if (!parsed) return {};
  return std::string(parsed->tag().value_or(std::string_view{}));
}

TransactionKey rfc3261Key(const Via& via, std::string_view method) {
  // RFC 3261 §17.2.3: the branch, the sent-by of the top Via and the method (ACK counts as INVITE). Hosts
  // compare case-insensitively.
  std::string value = "s";
  value.append(via.branch).append(" ").append(core::toLower(via.host)).append(":");
  if (via.hasPort) value.append(std::to_string(via.port));
  value.append(" ").append(method);
  return TransactionKey{std::move(value), false};
}

// RFC 3261 §17.2.3, last paragraphs: a request from an RFC 2543 element matches when the Request-URI, To tag,
// From tag, Call-ID, CSeq and top Via match those of the request that created the transaction; its ACK when
// all of these but the To tag and the CSeq method do (its To tag is the one of our response).
std::optional<TransactionKey> rfc2543Key(const Message& request, std::string_view method, bool withToTag) {
  const auto via = topViaOf(request);
  const auto cseq = cseqOf(request);
  if (!via || !cseq) return std::nullopt;
  std::string value = "o";
  value.append(request.requestUri())
      .append(" ")
      .append(tagOf(request.headerValue(HeaderId::kFrom)))
      .append(" ")
      .append(request.headerValue(HeaderId::kCallId))
      .append(" ")
      .append(std::to_string(cseq->sequence))
      .append(" ")
      .append(method)
      .append(" ")
      .append(*via);
  if (withToTag) value.append(" ").append(toTagOf(request));
  return TransactionKey{std::move(value), true};
}

std::optional<TransactionKey> serverKey(const Message& request, std::string_view method, bool withToTag) {
  const auto via = topVia(request);
  if (!via) return std::nullopt;
  if (!hasCookie(via->branch)) return rfc2543Key(request, method, withToTag);
  return rfc3261Key(*via, method);
}

}  // namespace

// The top Via is the one transactions match on (§17.1.3, §17.2.3); lower Vias belong to other hops.
std::optional<std::string_view> topViaOf(const Message& message) {
  const HeaderField* via = message.header(HeaderId::kVia);
  if (via == nullptr) return std::nullopt;
  ListSplitter values(via->value);
  return values.next();
}

std::string toTagOf(const Message& message) {
  return tagOf(message.headerValue(HeaderId::kTo));
}

std::optional<TransactionKey> TransactionKey::forClientRequest(const Message& request,
                                                               std::string_view method) {
  if (!request.isRequest()) return std::nullopt;
  const auto via = topVia(request);
  if (!via || !hasCookie(via->branch)) return std::nullopt;
  std::string value = "c";
  value.append(via->branch).append(" ").append(method.empty() ? request.method() : method);
  return TransactionKey{std::move(value), false};
}

std::optional<TransactionKey> TransactionKey::forResponse(const Message& response) {
  if (!response.isResponse()) return std::nullopt;
  const auto via = topVia(response);
  const auto cseq = cseqOf(response);
  // RFC 3261 §17.1.3: the branch and the CSeq method must both match. Branches without the cookie were not
  // generated here.
  if (!via || !cseq || !hasCookie(via->branch)) return std::nullopt;
  std::string value = "c";
  value.append(via->branch).append(" ").append(cseq->method);
  return TransactionKey{std::move(value), false};
}

std::optional<TransactionKey> TransactionKey::forServerRequest(const Message& request) {
  if (!request.isRequest()) return std::nullopt;
  // RFC 3261 §17.2.3: "the method of the request matches the one that created the transaction, except for
  // ACK, where the method of the request that created the transaction is INVITE".
  if (request.methodId() == Method::kAck) return serverKey(request, "INVITE", false);
  return serverKey(request, request.method(), true);
}

std::optional<TransactionKey> TransactionKey::forRfc2543Ack(const Message& invite) {
  if (!invite.isRequest() || invite.methodId() != Method::kInvite) return std::nullopt;
  const auto via = topVia(invite);
  if (!via || hasCookie(via->branch)) return std::nullopt;
  return rfc2543Key(invite, "INVITE", false);
}

std::optional<TransactionKey> TransactionKey::forCancelledInvite(const Message& cancel) {
  if (!cancel.isRequest() || cancel.methodId() != Method::kCancel) return std::nullopt;
  // RFC 3261 §9.2: the CANCEL matches the INVITE it cancels by the §17.2.3 rules with the method INVITE.
  return serverKey(cancel, "INVITE", true);
}

}  // namespace callgate::sip
