// The keys under which the transaction layer finds the transaction a message belongs to (RFC 3261 §17.1.3,
// §17.2.3). A key is an opaque string; two messages of one transaction produce equal keys.
//
//   client, request or response:  "c" branch SP method            (response: the CSeq method)
//   server, RFC 3261 branch:       "s" branch SP sent-by SP method  (ACK and CANCEL's target: INVITE)
//   server, RFC 2543 peer:         "o" Request-URI SP From tag SP Call-ID SP CSeq number SP method SP top Via
//                                  [SP To tag]  (the To tag is left out of the key ACKs are looked up by)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sip/message/message.hpp"

namespace callgate::sip {

struct TransactionKey {
  std::string value;
  // The request carries no RFC 3261 branch: matched by the RFC 2543 rules (RFC 3261 §17.2.3).
  bool rfc2543 = false;

  bool operator==(const TransactionKey&) const = default;

  // A request the TU sends (RFC 3261 §17.1.3: branch and method), keyed under `method` when given (a CANCEL
  // finds the INVITE it cancels by the same branch, RFC 3261 §9.1). nullopt when its top Via has no RFC 3261
  // branch: the client side never falls back to RFC 2543 matching, it generates its branches (§8.1.1.7).
  static std::optional<TransactionKey> forClientRequest(const Message& request, std::string_view method = {});
  // A response: top Via branch and CSeq method (RFC 3261 §17.1.3).
  static std::optional<TransactionKey> forResponse(const Message& response);
  // A received request, ACK included: ACK is looked up under the INVITE's key (RFC 3261 §17.2.3).
  static std::optional<TransactionKey> forServerRequest(const Message& request);
  // The second key of an RFC 2543 INVITE server transaction: the one its ACK is looked up by (the ACK's To
  // tag is the one of our response, so it cannot be part of the key).
  static std::optional<TransactionKey> forRfc2543Ack(const Message& invite);
  // The INVITE server transaction a CANCEL targets: the CANCEL's key with the method INVITE (RFC 3261 §9.2).
  static std::optional<TransactionKey> forCancelledInvite(const Message& cancel);
};

// The tag parameter of the To header field; "" when absent or unparsable.
std::string toTagOf(const Message& message);
// The first value of the first Via header field (the top Via), as written; nullopt when there is none.
std::optional<std::string_view> topViaOf(const Message& message);

}  // namespace callgate::sip
