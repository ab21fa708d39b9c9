// A SIP dialog (RFC 3261 §12): the peer-to-peer relationship an INVITE (or SUBSCRIBE, REFER) sets up,
// identified by Call-ID and both tags. It knows how to build the next request in the dialog (Request-URI
// and Route from the route set, loose or strict routing, tags, CSeq, Contact) and checks requests that
// arrive in it. Sans-I/O and owning: it keeps copies of everything it needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sip/message/message.hpp"

namespace callgate::sip {

struct DialogId {
  std::string callId;
  std::string localTag;
  std::string remoteTag;

  bool operator==(const DialogId&) const = default;
};

class Dialog {
 public:
  enum class State : uint8_t { kEarly, kConfirmed };

  // RFC 3261 §12.1.2: the UAC side, from the request it sent and a 101-299 response carrying a To tag.
  // Route set: the response's Record-Route in reverse order; remote target: the response's Contact.
  static core::Result<Dialog> asUac(const Message& request, const Message& response);

  // RFC 3261 §12.1.1: the UAS side, from the request received and the To tag chosen for the answer.
  // Route set: the request's Record-Route in order; remote target: the request's Contact. `localContact` is
  // the Contact the UAS puts in its answers and later requests (a name-addr or URI).
  static core::Result<Dialog> asUas(const Message& request, std::string_view localTag,
                                    std::string_view localContact, State state);

  const DialogId& id() const { return id_; }
  State state() const { return state_; }
  bool secure() const { return secure_; }

  // The UAC side's early dialog became confirmed by a 2xx: RFC 3261 §13.2.2.4 recomputes the route set and
  // remote target from it.
  core::Result<void> confirm(const Message& response2xx);
  // The UAS side sent its 2xx.
  void confirm() { state_ = State::kConfirmed; }

  // RFC 3261 §12.2.1.1: the next request in the dialog (not ACK or CANCEL): CSeq is the local sequence plus
  // one. `via` is the top Via value (with a new branch) the caller chose; a body and method-specific headers
  // are the caller's too.
  Message makeRequest(std::string_view method, std::string_view via);
  // RFC 3261 §13.2.2.4: the ACK for a 2xx carries the INVITE's CSeq number.
  Message makeAck(uint32_t inviteSequence, std::string_view via) const;
  // Where a request built by this dialog goes first: the URI of its first Route, else its Request-URI.
  std::string nextHopUri() const;

  // RFC 3261 §12.2.2: a request arriving in the dialog. A CSeq lower than the last one seen is refused with
  // code 500 (§12.2.2: "the UAS SHOULD reject the request with a 500"); otherwise the remote sequence moves.
  core::Result<void> acceptRequest(const Message& request);
  // RFC 3261 §12.2: a target refresh (re-INVITE, UPDATE, or the 2xx answering one) replaces the remote target
  // with its Contact.
  core::Result<void> refreshTarget(const Message& message);

  const std::string& localAddress() const { return localAddress_; }    // From of our requests, with tag
  const std::string& remoteAddress() const { return remoteAddress_; }  // To of our requests, with tag
  const std::string& remoteTarget() const { return remoteTarget_; }
  const std::string& localContact() const { return localContact_; }
  const std::vector<std::string>& routeSet() const { return routeSet_; }
  uint32_t localSequence() const { return localSequence_; }
  // 0 until the peer sent a request (an empty remote sequence, RFC 3261 §12.1.2).
  uint32_t remoteSequence() const { return remoteSequence_; }

 private:
  Dialog() = default;
  // Request-URI, Route, Via, Max-Forwards, From, To, Call-ID and CSeq of a request in this dialog.
  Message buildRequest(std::string_view method, uint32_t sequence, std::string_view via) const;

  DialogId id_;
  State state_ = State::kEarly;
  bool secure_ = false;
  std::string localAddress_;
  std::string remoteAddress_;
  std::string remoteTarget_;
  std::string localContact_;
  std::vector<std::string> routeSet_;
  uint32_t localSequence_ = 0;
  uint32_t remoteSequence_ = 0;
};

}  // namespace callgate::sip
